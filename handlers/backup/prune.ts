import { DumpIndex } from './index-store.js';
import { planRetention } from './retention.js';
import type { BackupDeps, DumpRecord } from './types.js';

/**
 * Deletes the dumps of one db that fall outside `backups.retention`. Each deletion is
 * audited before it happens and its outcome after, as every action is.
 */
export async function pruneDumps(
  deps: Pick<BackupDeps, 'config' | 'redis' | 'storage' | 'audit' | 'clock' | 'log'>,
  db: string,
): Promise<DumpRecord[]> {
  const index = new DumpIndex(deps.redis);
  const dumps = await index.list(db, 100_000);
  const policy = deps.config.backups.retention;
  const plan = planRetention(dumps, policy, deps.clock.now());
  const byId = new Map(dumps.map((d) => [d.id, d]));
  const pruned: DumpRecord[] = [];
  const rule = `daily ${policy.daily} / weekly ${policy.weekly} / monthly ${policy.monthly}`;
  for (const id of plan.prune) {
    const dump = byId.get(id);
    if (!dump) continue;
    const started = await deps.audit.append({
      actor: 'dockside',
      action: 'backup.prune',
      database: db,
      result: 'started',
      detail: `prune dump ${id} from ${dump.createdAt} (outside retention ${rule})`,
      data: { backupId: id, sha256: dump.sha256, size: dump.size, location: dump.location },
    });
    try {
      await deps.storage.delete(dump.key);
      await index.remove(db, id);
    } catch (err) {
      await deps.audit.append({
        actor: 'dockside',
        action: 'backup.prune',
        database: db,
        result: 'failed',
        detail: `could not delete dump ${id}: ${(err as Error).message}`,
        ref: started.id,
      });
      throw err;
    }
    await deps.audit.append({
      actor: 'dockside',
      action: 'backup.prune',
      database: db,
      result: 'succeeded',
      detail: `pruned dump ${id}`,
      ref: started.id,
    });
    deps.log.info({ db, backupId: id }, 'dump pruned');
    pruned.push(dump);
  }
  return pruned;
}
