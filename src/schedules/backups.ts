import { runDump } from '../../handlers/backup/dump.js';
import { formatBytes } from '../../handlers/backup/format.js';
import { pruneDumps } from '../../handlers/backup/prune.js';
import type { BackupDeps } from '../../handlers/backup/types.js';
import { escapeText } from '../render/format.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { SlackMessage } from '../slack/reply.js';

/** Daily pruning time (UTC); any quiet hour works, this one is after most nightly dumps. */
export const PRUNE_SCHEDULE = { cron: '30 4 * * *', timezone: 'UTC' };

/**
 * Registers scheduled dumps (`databases.*.backup_schedule`) and the daily pruning run.
 * Each tick runs on one replica only. A failed scheduled dump is posted to `notify`
 * (the ops channel), because nobody is watching for it otherwise.
 */
export function registerBackupSchedules(
  scheduler: Scheduler,
  deps: BackupDeps,
  notify: (message: SlackMessage) => Promise<unknown>,
): void {
  const dbs = Object.entries(deps.config.databases);
  for (const [db, dbConfig] of dbs) {
    if (!dbConfig.backup_schedule) continue;
    scheduler.cron(`backup:${db}`, dbConfig.backup_schedule, () => scheduledDump(deps, db, notify));
  }
  scheduler.cron('backup:prune', PRUNE_SCHEDULE, async () => {
    for (const [db] of dbs) await pruneDumps(deps, db);
  });
}

export async function scheduledDump(
  deps: BackupDeps,
  db: string,
  notify: (message: SlackMessage) => Promise<unknown>,
): Promise<void> {
  const started = await deps.audit.append({
    actor: 'dockside',
    action: 'backup.dump',
    database: db,
    result: 'started',
    detail: 'scheduled dump',
  });
  try {
    const record = await runDump(deps, { db, requestedBy: 'dockside' });
    await deps.audit.append({
      actor: 'dockside',
      action: 'backup.dump',
      database: db,
      result: 'succeeded',
      detail: `dump ${record.id} ${formatBytes(record.size)} sha256 ${record.sha256.slice(0, 12)}`,
      durationMs: record.durationMs,
      ref: started.id,
      data: { backupId: record.id, sha256: record.sha256, size: record.size },
    });
  } catch (err) {
    const message = (err as Error).message;
    await deps.audit.append({
      actor: 'dockside',
      action: 'backup.dump',
      database: db,
      result: 'failed',
      detail: message,
      ref: started.id,
    });
    await notify({ text: `:x: The scheduled dump of *${db}* failed: ${escapeText(message)}` });
    throw err;
  }
}
