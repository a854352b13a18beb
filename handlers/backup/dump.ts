import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import { DumpIndex } from './index-store.js';
import { withDumpLock } from './lock.js';
import { DumpTap } from './tap.js';
import { dumpUrl, requireDumpTools } from './tool-fit.js';
import { mysqlConnection, pgConnection, type RunningTool, runTool, toolVersion } from './tools.js';
import type { BackupDeps, DumpRecord } from './types.js';
import { MYSQL_TRAILER, verifyStored } from './verify.js';

export interface DumpRequest {
  db: string;
  /** Slack user id, or `dockside` for scheduled dumps. */
  requestedBy: string;
  /** Called once the per-db lock is held and the tools are known to work. */
  onStarted?: () => Promise<void> | void;
  /** Bytes written so far; called often, so throttle before touching Slack. */
  onProgress?: (bytes: number) => void;
}

/**
 * Takes a logical dump with the engine's own tool, streamed to the destination through
 * a hash and byte counter (never held in memory), verified, then indexed. Anything that
 * fails leaves nothing behind and nothing in the index.
 */
export async function runDump(deps: BackupDeps, request: DumpRequest): Promise<DumpRecord> {
  const dbConfig = deps.config.databases[request.db];
  if (!dbConfig) throw new DocksideError('unknown_db', `There is no database "${request.db}" in the config.`);
  const engine = dbConfig.engine;
  const startedAt = deps.clock.now();
  // The lock comes before the tool check: a second request must hear "already running" at
  // once, not race the first one's version check and start a second dump after it ends.
  return withDumpLock(
    deps.redis,
    request.db,
    { by: request.requestedBy, since: new Date(startedAt).toISOString() },
    async () => {
      // Client against server first: a tool that cannot dump this server fails here, in words.
      const tools = await requireDumpTools(request.db, dbConfig, deps.tools);
      if (engine === 'postgres') await toolVersion('pg_restore', deps.tools);
      await request.onStarted?.();
      const id = dumpId(request.db, startedAt);
      const key = `${request.db}/${id}.${engine === 'postgres' ? 'dump' : 'sql.gz'}`;
      const log = deps.log.child({ db: request.db, backupId: id });
      log.info({ location: deps.storage.describe(key) }, 'dump started');
      const { size, sha256 } = await streamDump(
        deps,
        engine,
        dumpUrl(dbConfig),
        tools.fit.extraArgs,
        key,
        request.onProgress,
      );
      const record: DumpRecord = {
        id,
        db: request.db,
        engine,
        key,
        location: deps.storage.describe(key),
        destination: deps.storage.kind,
        size,
        sha256,
        durationMs: deps.clock.now() - startedAt,
        requestedBy: request.requestedBy,
        createdAt: new Date(startedAt).toISOString(),
        tool: tools.tool,
      };
      try {
        await verifyStored(deps.storage, record, deps.tools);
      } catch (err) {
        await deps.storage.delete(key).catch(() => undefined);
        throw err;
      }
      await new DumpIndex(deps.redis).add(record);
      log.info({ size, sha256, durationMs: record.durationMs }, 'dump stored and verified');
      return record;
    },
  );
}

async function streamDump(
  deps: BackupDeps,
  engine: 'postgres' | 'mysql',
  url: string,
  extraArgs: string[],
  key: string,
  onProgress: ((bytes: number) => void) | undefined,
): Promise<{ size: number; sha256: string }> {
  let run: RunningTool;
  let trailer: DumpTap | undefined;
  if (engine === 'postgres') {
    run = runTool(
      'pg_dump',
      ['--format=custom', '--no-password', ...extraArgs],
      pgConnection(url),
      deps.tools,
    );
  } else {
    const conn = mysqlConnection(url);
    const args = [
      ...conn.args,
      '--single-transaction',
      '--routines',
      '--triggers',
      '--quick',
      '--hex-blob',
      '--no-tablespaces',
      ...extraArgs,
      conn.database,
    ];
    run = runTool('mysqldump', args, conn, deps.tools);
    trailer = new DumpTap();
  }
  // The outer tap measures what is stored; its end waits for the tool's exit status.
  const stored = new DumpTap({ gate: run.done, ...(onProgress ? { onProgress } : {}) });
  const source = run.child.stdout!;
  const feeding = (
    trailer ? pipeline(source, trailer, createGzip(), stored) : pipeline(source, stored)
  ).catch((err: unknown) => {
    stored.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  try {
    await deps.storage.put(key, stored);
    await feeding;
    await run.done;
  } catch (err) {
    run.child.kill('SIGTERM');
    // The tool's own error (version mismatch, login) says more than "stream closed".
    const toolError = await run.done.then(
      () => null,
      (e: unknown) => e,
    );
    await deps.storage.delete(key).catch(() => undefined);
    if (!isDocksideError(err) && isDocksideError(toolError)) throw toolError;
    throw err;
  }
  if (trailer && !trailer.tail().includes(MYSQL_TRAILER)) {
    await deps.storage.delete(key).catch(() => undefined);
    throw new DocksideError('backup_failed', 'mysqldump stopped before the end of the dump.');
  }
  return { size: stored.bytes, sha256: stored.sha256() };
}

/** `main-20261105-090000-3fa2`: sortable, names the db, unique across replicas. */
export function dumpId(db: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${db}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export const DUMP_ID = /^[a-z0-9][a-z0-9_-]*-\d{8}-\d{6}-[0-9a-f]{4}$/;
