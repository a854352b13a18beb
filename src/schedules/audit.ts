import type { RedisAuditLog } from '../audit/redis-audit-log.js';
import { escapeText } from '../render/format.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { SlackMessage } from '../slack/reply.js';

/** Daily, in a quiet hour (UTC), before the dump pruning at 04:30. */
export const AUDIT_PRUNE_SCHEDULE = { cron: '15 4 * * *', timezone: 'UTC' };

/**
 * Registers the audit prune that makes `audit.retention_days` take effect: entries older
 * than the retention move to the archive stream. One replica runs each tick (the lease),
 * and the run is audited like any action: a start entry first, then its outcome. A failed
 * prune (a broken chain refuses to be pruned) is posted to `notify`, since nobody is
 * waiting for it.
 */
export function registerAuditSchedules(
  scheduler: Scheduler,
  audit: Pick<RedisAuditLog, 'append' | 'prune'>,
  retentionDays: number,
  notify: (message: SlackMessage) => Promise<unknown>,
): void {
  scheduler.cron('audit:prune', AUDIT_PRUNE_SCHEDULE, (tick) =>
    pruneAudit(audit, retentionDays, tick, notify),
  );
}

export async function pruneAudit(
  audit: Pick<RedisAuditLog, 'append' | 'prune'>,
  retentionDays: number,
  tick: Date,
  notify: (message: SlackMessage) => Promise<unknown>,
): Promise<void> {
  const started = await audit.append({
    actor: 'dockside',
    action: 'audit.prune',
    result: 'started',
    detail: `scheduled prune of entries older than ${retentionDays} days`,
  });
  try {
    const result = await audit.prune(tick.getTime());
    await audit.append({
      actor: 'dockside',
      action: 'audit.prune',
      result: 'succeeded',
      detail:
        result.pruned > 0
          ? `archived ${result.pruned} entries older than ${retentionDays} days to ${result.archive}`
          : `no entries older than ${retentionDays} days`,
      ref: started.id,
      data: { pruned: result.pruned },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await audit.append({
      actor: 'dockside',
      action: 'audit.prune',
      result: 'failed',
      detail: message,
      ref: started.id,
    });
    await notify({ text: `:x: The scheduled audit prune failed: ${escapeText(message)}` });
    throw err;
  }
}
