import { type DumpRequest, runDump } from './dump.js';
import { DumpIndex } from './index-store.js';
import { type BackupList, listBackups, type ResolvedBackup, resolveBackup } from './list.js';
import { pruneDumps } from './prune.js';
import { type RestoreRequest, type RestoreResult, restoreBackup, restoreTargetOf } from './restore.js';
import type { BackupDeps, DumpRecord } from './types.js';

export type { DumpRequest } from './dump.js';
export type { BackupList, ResolvedBackup } from './list.js';
export type { RestoreRequest, RestoreResult } from './restore.js';
export { planRetention } from './retention.js';
export type { BackupDeps, BackupListItem, DumpRecord } from './types.js';

/** The backup operations with their clients bound, built once by the composition root. */
export interface BackupOperations {
  list(db: string): Promise<BackupList>;
  resolve(db: string, backupId: string): Promise<ResolvedBackup>;
  /** Throws DocksideError('backup_running') when this db is already being dumped by any replica. */
  dump(request: DumpRequest): Promise<DumpRecord>;
  /** Call only after an approval: restores into restore_target or a NEW cluster. */
  restore(request: RestoreRequest): Promise<RestoreResult>;
  prune(db: string): Promise<DumpRecord[]>;
  /** Newest verified dump of a db, for the health summary. */
  newestDump(db: string): Promise<DumpRecord | null>;
  /** Name of the database a dump of `db` would be restored into (throws when none is valid). */
  restoreTarget(db: string): string;
}

export function createBackupOperations(deps: BackupDeps): BackupOperations {
  return {
    list: (db) => listBackups(deps, db),
    resolve: (db, id) => resolveBackup(deps, db, id),
    dump: (request) => runDump(deps, request),
    restore: (request) => restoreBackup(deps, request),
    prune: (db) => pruneDumps(deps, db),
    newestDump: (db) => new DumpIndex(deps.redis).newest(db),
    restoreTarget: (db) => restoreTargetOf(deps.config, db).name,
  };
}
