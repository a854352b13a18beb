import type { ApprovalRequest, ApprovalStore } from '../../approvals/types.js';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import { escapeText, mention, shortId } from '../../src/render/format.js';
import { MARK, mrkdwnSections, renderHealthReport } from '../../src/render/health.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { formatAge } from '../backup/format.js';
import type { BackupOperations } from '../backup/index.js';
import type { HealthService } from './service.js';
import type { HealthReport } from './types.js';

const DAY = 86_400_000;

export interface NewestBackup {
  db: string;
  /** ISO time of the newest managed backup or verified dump; absent when there is none. */
  at?: string;
  kind?: 'managed' | 'dump';
  error?: string;
}

export interface SummaryInputs {
  report: HealthReport;
  pending: ApprovalRequest[];
  expired: ApprovalRequest[];
  backups: NewestBackup[];
  maxAgeHours: number;
  now: number;
}

/** The things in a summary that a person has to act on, one line each. */
export function needsAPerson(input: SummaryInputs): string[] {
  const { now } = input;
  const items: string[] = [];
  for (const e of input.report.envs) {
    if (e.state === 'bad') {
      const why = e.checks.filter((c) => c.state === 'bad').map((c) => `${c.name} ${escapeText(c.detail)}`);
      items.push(`${MARK.bad} ${e.app}/${e.env} is unhealthy: ${why.join(', ')}`);
    }
    if (e.pinnedDeploymentId) {
      items.push(
        `:pushpin: ${e.app}/${e.env} is pinned by a rollback to \`${shortId(e.pinnedDeploymentId)}\`: no deploys until it is committed or reverted`,
      );
    }
  }
  for (const lock of input.report.locks) {
    const age = now - Date.parse(lock.since);
    if (age > DAY)
      items.push(
        `:lock: ${lock.app}/${lock.env} locked by ${mention(lock.by)} for ${formatAge(age)}: ${escapeText(lock.reason || 'no reason given')}`,
      );
  }
  for (const r of input.pending) {
    items.push(
      `:hourglass: approval waiting: ${r.summary.split('\n')[0] ?? ''} (asked by ${mention(r.requester)} ${formatAge(now - Date.parse(r.createdAt))} ago)`,
    );
  }
  for (const r of input.expired) {
    if (now - Date.parse(r.expiresAt) > DAY) continue;
    items.push(
      `:zzz: approval expired unanswered: ${r.summary.split('\n')[0] ?? ''} (asked by ${mention(r.requester)})`,
    );
  }
  for (const b of input.backups) {
    if (b.error) {
      items.push(`:warning: backups of ${b.db} could not be checked: ${escapeText(b.error)}`);
    } else if (!b.at) {
      items.push(`:floppy_disk: ${b.db} has no backup at all`);
    } else {
      const age = now - Date.parse(b.at);
      if (age > input.maxAgeHours * 3_600_000) {
        items.push(
          `:floppy_disk: newest backup of ${b.db} is ${formatAge(age)} old (limit ${input.maxAgeHours}h)`,
        );
      }
    }
  }
  return items;
}

export function buildSummary(input: SummaryInputs): SlackMessage {
  const todo = needsAPerson(input);
  const health = renderHealthReport(input.report, input.now).text;
  const backups = input.backups
    .filter((b) => b.at)
    .map((b) => `${b.db} ${formatAge(input.now - Date.parse(b.at!))} ago (${b.kind})`);
  const lines = [
    '*Daily health summary*',
    todo.length > 0
      ? `*Needs a person (${todo.length}):*\n${todo.map((t) => `• ${t}`).join('\n')}`
      : 'Nothing needs a person.',
    health,
  ];
  if (backups.length > 0) lines.push(`Newest backups: ${backups.join(', ')}`);
  const text = lines.join('\n\n');
  // Split between lines, code blocks closed and reopened: a cut never breaks the table.
  const blocks = mrkdwnSections(text);
  return {
    text:
      todo.length > 0 ? `Health summary: ${todo.length} things need a person` : 'Health summary: all good',
    blocks,
  };
}

export interface SummaryDeps {
  config: Config;
  health: HealthService;
  approvals: Pick<ApprovalStore, 'listByState'>;
  backups: Pick<BackupOperations, 'list'>;
  clock: Clock;
}

export async function gatherSummary(deps: SummaryDeps): Promise<SlackMessage> {
  const [report, pending, expired, backups] = await Promise.all([
    deps.health.report(),
    deps.approvals.listByState(['pending']),
    deps.approvals.listByState(['expired']),
    Promise.all(
      Object.keys(deps.config.databases).map(async (db): Promise<NewestBackup> => {
        try {
          const { items, managedError } = await deps.backups.list(db);
          const newest = items[0];
          if (!newest && managedError) return { db, error: managedError };
          return newest ? { db, at: newest.createdAt, kind: newest.kind } : { db };
        } catch (err) {
          return { db, error: (err as Error).message };
        }
      }),
    ),
  ]);
  return buildSummary({
    report,
    pending,
    expired,
    backups,
    maxAgeHours: deps.config.backups.max_age_hours,
    now: deps.clock.now(),
  });
}
