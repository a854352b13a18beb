import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DatabaseCluster } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import { own } from '../../src/own.js';
import { slackDate } from '../../src/render/format.js';
import { resolveBackup } from './list.js';
import { dumpUrl } from './tool-fit.js';
import { mysqlConnection, pgConnection, type RunningTool, runTool } from './tools.js';
import type { BackupDeps, DumpRecord } from './types.js';
import { verifyStored } from './verify.js';

export interface RestoreRequest {
  db: string;
  backupId: string;
  /** Who asked (the approval's requester), for logs. */
  requestedBy: string;
}

export type RestoreResult =
  | { kind: 'dump'; backupId: string; target: string; durationMs: number; message: string }
  | { kind: 'managed'; backupCreatedAt: string; cluster: DatabaseCluster; message: string };

/**
 * Runs an approved restore. Never writes to the source: a dump goes into the db's
 * configured `restore_target`, a managed backup into a NEW cluster.
 */
export async function restoreBackup(deps: BackupDeps, request: RestoreRequest): Promise<RestoreResult> {
  const backup = await resolveBackup(deps, request.db, request.backupId);
  if (backup.kind === 'managed') return restoreManaged(deps, request.db, backup.createdAt);
  return restoreDump(deps, request.db, backup.record);
}

/** The database a dump of `db` may be restored into; refuses anything that is the source. */
export function restoreTargetOf(config: BackupDeps['config'], db: string): { name: string; url: string } {
  const source = own(config.databases, db);
  if (!source) throw new DocksideError('unknown_db', `There is no database "${db}" in the config.`);
  const name = source.restore_target;
  const target = own(config.databases, name);
  if (!name || !target) {
    throw new DocksideError('restore_not_possible', `${db} has no restore target.`, {
      hint: `Set databases.${db}.restore_target to a scratch database of the same engine.`,
    });
  }
  if (name === db || sameDatabase(target.url, source.url) || target.engine !== source.engine) {
    throw new DocksideError(
      'restore_not_possible',
      `The restore target of ${db} is the source itself or another engine.`,
    );
  }
  // The restore writes: it uses the target's dump connection (backup_url) when one is set.
  return { name, url: dumpUrl(target) };
}

function sameDatabase(a: string, b: string): boolean {
  const ua = new URL(a);
  const ub = new URL(b);
  return ua.hostname === ub.hostname && (ua.port || '') === (ub.port || '') && ua.pathname === ub.pathname;
}

async function restoreDump(deps: BackupDeps, db: string, record: DumpRecord): Promise<RestoreResult> {
  const target = restoreTargetOf(deps.config, db);
  const started = deps.clock.now();
  // Checked first so a corrupt or tampered file never touches the target.
  await verifyStored(deps.storage, record, deps.tools);
  const input = await deps.storage.get(record.key);
  if (record.engine === 'postgres') {
    const conn = pgConnection(target.url);
    const args = ['--dbname', conn.database, '--clean', '--if-exists', '--no-owner', '--no-privileges'];
    // One transaction: the target ends up either fully restored or as it was.
    args.push('--single-transaction', '--exit-on-error');
    const run = runTool('pg_restore', args, conn, deps.tools, { stdin: 'pipe', stdout: 'ignore' });
    await feed(run, input, pipeline(input, run.child.stdin!));
  } else {
    const conn = mysqlConnection(target.url);
    const run = runTool('mysql', [...conn.args, conn.database], conn, deps.tools, {
      stdin: 'pipe',
      stdout: 'ignore',
    });
    await feed(run, input, pipeline(input, createGunzip(), run.child.stdin!));
  }
  const durationMs = deps.clock.now() - started;
  deps.log.info({ db, backupId: record.id, target: target.name, durationMs }, 'dump restored');
  return {
    kind: 'dump',
    backupId: record.id,
    target: target.name,
    durationMs,
    message: `Restored dump ${record.id} of *${db}* into *${target.name}* (the source was not touched).`,
  };
}

/** The tool's exit status decides; a broken pipe only follows from the tool having died. */
async function feed(run: RunningTool, input: Readable, feeding: Promise<void>): Promise<void> {
  const fed = feeding.then(
    () => null,
    (err: unknown) => err,
  );
  try {
    await run.done;
  } catch (err) {
    input.destroy();
    throw err;
  }
  const err = await fed;
  if (err)
    throw new DocksideError('backup_failed', 'Reading the dump failed during the restore.', { cause: err });
}

async function restoreManaged(deps: BackupDeps, db: string, createdAt: string): Promise<RestoreResult> {
  const clusterId = own(deps.config.databases, db)?.cluster_id;
  if (!clusterId) {
    throw new DocksideError('restore_not_possible', `${db} has no cluster_id, so it has no managed backups.`);
  }
  const source = await deps.do.getDatabaseCluster(clusterId);
  const newClusterName = restoredClusterName(source.name, createdAt);
  const cluster = await deps.do.restoreDatabaseBackup({
    sourceClusterId: clusterId,
    newClusterName,
    backupCreatedAt: createdAt,
  });
  deps.log.info({ db, clusterId: cluster.id, backupCreatedAt: createdAt }, 'managed backup restore started');
  return {
    kind: 'managed',
    backupCreatedAt: createdAt,
    cluster,
    message:
      `Restoring the ${slackDate(createdAt)} backup of *${db}* into a NEW cluster *${cluster.name}* (${cluster.id}) of the same size, storage and region; ` +
      `${source.name} is untouched. It takes a few minutes to come online. To use it, add it as a database ` +
      "component in the app spec or set the app's DATABASE_URL to its connection string " +
      '(Databases → the cluster → Connection details), and add the app to its trusted sources.',
  };
}

/** DO cluster names: lowercase, digits and dashes, at most 63 characters. */
export function restoredClusterName(sourceName: string, createdAt: string): string {
  const stamp = new Date(createdAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  const base = sourceName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `${base.slice(0, 63 - stamp.length - 9)}-restore-${stamp}`.toLowerCase();
}
