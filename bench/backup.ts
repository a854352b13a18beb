import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { NODE_FLAGS, tsLoader } from './util.js';

export interface BackupBenchResult {
  tableBytes: number;
  dumpBytes: number;
  dumpMs: number;
  /** Peak RSS of the process that ran the dump (streaming, hashing, verifying). */
  peakRssBytes: number;
  /** RSS of the child before the dump began (Node and the modules). */
  baselineRssBytes: number;
  limitBytes: number;
  withinLimit: boolean;
}

const MB = 1024 * 1024;
const ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Dumps a ~500 MB table with dockside's runDump in a child process (so the RSS measured
 * is dockside's alone, not the bench's or pg_dump's) and reports the child's peak RSS.
 */
export async function benchBackup(
  options: { tableMb?: number; limitMb?: number } = {},
): Promise<BackupBenchResult> {
  const tableMb = options.tableMb ?? 500;
  const limitBytes = (options.limitMb ?? 150) * MB;
  const db = `dockside_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const url = ADMIN.replace(/\/[^/]*$/, `/${db}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'dockside-bench-'));
  try {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // 512 hex characters of md5 per row: random, so it compresses no better than hex does.
    const rows = Math.ceil((tableMb * MB) / 560);
    await client.query(`CREATE TABLE events AS
      SELECT g AS id, now() AS at,
             (SELECT string_agg(md5(random()::text || g::text || k::text), '') FROM generate_series(1, 16) k) AS payload
      FROM generate_series(1, ${rows}) g`);
    const size = await client.query<{ n: string }>("SELECT pg_total_relation_size('events')::text AS n");
    await client.end();
    const tableBytes = Number(size.rows[0]?.n ?? 0);

    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, ...tsLoader(), fileURLToPath(import.meta.url), '--child'],
      {
        env: { ...process.env, BENCH_DB_URL: url, BENCH_DIR: dir },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      out += c;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`dump child exited with ${code}: ${out}`);
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
      size: number;
      ms: number;
      maxRss: number;
      baseline: number;
    };
    const result: BackupBenchResult = {
      tableBytes,
      dumpBytes: r.size,
      dumpMs: r.ms,
      peakRssBytes: r.maxRss,
      baselineRssBytes: r.baseline,
      limitBytes,
      withinLimit: r.maxRss < limitBytes,
    };
    console.log(
      `backup: table ${(tableBytes / MB).toFixed(0)} MB -> dump ${(r.size / MB).toFixed(0)} MB in ${(r.ms / 1000).toFixed(1)} s ` +
        `(dump, stream, sha256, verify); dockside peak RSS ${(r.maxRss / MB).toFixed(0)} MB ` +
        `${result.withinLimit ? 'under' : 'OVER'} the ${(limitBytes / MB).toFixed(0)} MB limit ` +
        `(${(r.baseline / MB).toFixed(0)} MB before the dump started: Node and dockside's modules)`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}

/** The child: what dockside runs for `/backup <db> now`, nothing else. */
async function child(): Promise<void> {
  const { Redis } = await import('ioredis');
  const { createBackupOperations } = await import('../handlers/backup/index.js');
  const { LocalStorage } = await import('../src/storage/local.js');
  const { Config } = await import('../src/config/schema.js');
  const { createLogger } = await import('../src/logger.js');
  const { systemClock } = await import('../src/clock.js');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    keyPrefix: `bench:${process.pid}:`,
  });
  const config = Config.parse({
    channels: { ops: 'C0123456789' },
    databases: { bench: { engine: 'postgres', url: process.env.BENCH_DB_URL } },
  });
  const ops = createBackupOperations({
    config,
    redis,
    storage: new LocalStorage(process.env.BENCH_DIR ?? ''),
    do: {} as never,
    audit: {} as never,
    clock: systemClock,
    log: createLogger({ level: 'silent' }),
  });
  const baseline = process.memoryUsage().rss;
  const started = Date.now();
  const record = await ops.dump({ db: 'bench', requestedBy: 'bench' });
  const ms = Date.now() - started;
  const keys = await redis.keys('*');
  if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(`bench:${process.pid}:`.length)));
  redis.disconnect();
  // maxRSS is in kilobytes and covers the whole life of this process.
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ size: record.size, ms, maxRss, baseline })}\n`);
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  (process.argv.includes('--child') ? child() : benchBackup().then(() => undefined)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
