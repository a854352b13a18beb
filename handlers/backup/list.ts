import { DocksideError } from '../../src/errors.js';
import { own } from '../../src/own.js';
import { DUMP_ID } from './dump.js';
import { DumpIndex } from './index-store.js';
import type { BackupDeps, BackupListItem, DumpRecord } from './types.js';

export interface BackupList {
  items: BackupListItem[];
  /** Why managed backups are missing from the list, when the DO API failed. */
  managedError?: string;
}

const GB = 1024 ** 3;

/** Managed backups are named by their creation time, as the DO API reports it. */
export const MANAGED_ID = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Managed backups (DO API) and dockside's dumps, newest first. */
export async function listBackups(
  deps: Pick<BackupDeps, 'config' | 'redis' | 'do'>,
  db: string,
): Promise<BackupList> {
  const dbConfig = own(deps.config.databases, db);
  if (!dbConfig) throw new DocksideError('unknown_db', `There is no database "${db}" in the config.`);
  const dumps = await new DumpIndex(deps.redis).list(db);
  const items: BackupListItem[] = dumps.map((record) => ({
    kind: 'dump',
    id: record.id,
    createdAt: record.createdAt,
    size: record.size,
    record,
  }));
  let managedError: string | undefined;
  if (dbConfig.cluster_id) {
    try {
      for (const b of await deps.do.listDatabaseBackups(dbConfig.cluster_id)) {
        items.push({
          kind: 'managed',
          id: b.createdAt,
          createdAt: b.createdAt,
          size: Math.round(b.sizeGigabytes * GB),
        });
      }
    } catch (err) {
      // The dumps are still worth showing when DigitalOcean is down; the message says what is missing.
      managedError = err instanceof DocksideError ? err.message : 'the DigitalOcean API did not answer';
    }
  }
  items.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return managedError ? { items, managedError } : { items };
}

export type ResolvedBackup = { kind: 'dump'; record: DumpRecord } | { kind: 'managed'; createdAt: string };

/** A backup id as shown by `list`: a dump id, or a managed backup's creation time. */
export async function resolveBackup(
  deps: Pick<BackupDeps, 'config' | 'redis' | 'do'>,
  db: string,
  backupId: string,
): Promise<ResolvedBackup> {
  const dbConfig = own(deps.config.databases, db);
  if (!dbConfig) throw new DocksideError('unknown_db', `There is no database "${db}" in the config.`);
  const notFound = () =>
    new DocksideError('backup_not_found', `There is no backup "${backupId}" of ${db}.`, {
      hint: `\`/backup ${db} list\` shows the ids.`,
    });
  if (DUMP_ID.test(backupId)) {
    const record = await new DumpIndex(deps.redis).get(db, backupId);
    if (!record) throw notFound();
    return { kind: 'dump', record };
  }
  const at = Date.parse(backupId);
  if (!MANAGED_ID.test(backupId) || !dbConfig.cluster_id) throw notFound();
  const backups = await deps.do.listDatabaseBackups(dbConfig.cluster_id);
  const match = backups.find((b) => Date.parse(b.createdAt) === at);
  if (!match) throw notFound();
  // The API wants the timestamp exactly as it reported it.
  return { kind: 'managed', createdAt: match.createdAt };
}
