import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../approvals/types.js';
import { buildSummary, needsAPerson } from '../../handlers/health/summary.js';
import type { HealthReport } from '../../handlers/health/types.js';

const NOW = Date.parse('2026-11-05T09:00:00Z');
const H = 3_600_000;
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

function approval(
  summary: string,
  state: ApprovalRequest['state'],
  createdAgo: number,
  expiresAgo: number,
): ApprovalRequest {
  return {
    id: summary,
    kind: 'deploy',
    requester: 'U0ALICE',
    channel: 'C0123456789',
    command: '/deploy web production',
    summary,
    binding: {},
    params: {},
    required: 1,
    approvals: [],
    state,
    createdAt: iso(createdAgo),
    expiresAt: iso(expiresAgo),
    messages: [],
  };
}

const report: HealthReport = {
  envs: [
    {
      app: 'web',
      env: 'staging',
      appId: 'a',
      state: 'good',
      checks: [{ name: 'http', state: 'good', detail: '200 40ms' }],
    },
    { app: 'web', env: 'production', appId: 'b', state: 'good', checks: [], pinnedDeploymentId: 'dep-old' },
    {
      app: 'api',
      env: 'production',
      appId: 'c',
      state: 'bad',
      checks: [{ name: 'http', state: 'bad', detail: 'timeout 5.0s' }],
    },
  ],
  databases: [{ name: 'main', state: 'good', latencyMs: 3 }],
  redis: { name: 'redis', state: 'good', latencyMs: 1 },
  locks: [
    { app: 'web', env: 'production', by: 'U0BOB', reason: 'release freeze', since: iso(50 * H) },
    { app: 'web', env: 'staging', by: 'U0BOB', reason: 'testing', since: iso(2 * H) },
  ],
  checkedAt: new Date(NOW).toISOString(),
  durationMs: 900,
};

describe('the daily summary', () => {
  const input = {
    report,
    pending: [approval('Deploy web to production', 'pending', 20 * 60_000, -10 * 60_000)],
    expired: [
      approval('Promote erp', 'expired', 5 * H, 4 * H),
      approval('Old rollback', 'expired', 80 * H, 79 * H),
    ],
    backups: [
      { db: 'main', at: iso(3 * H), kind: 'dump' as const },
      { db: 'erp', at: iso(30 * H), kind: 'managed' as const },
      { db: 'chat' },
    ],
    maxAgeHours: 26,
    now: NOW,
  };

  it('lists exactly what needs a person', () => {
    expect(needsAPerson(input)).toEqual([
      ':pushpin: web/production is pinned by a rollback to `dep-old`: no deploys until it is committed or reverted',
      '❌ api/production is unhealthy: http timeout 5.0s',
      ':lock: web/production locked by <@U0BOB> for 2d 2h: release freeze',
      ':hourglass: approval waiting: Deploy web to production (asked by <@U0ALICE> 20m 0s ago)',
      ':zzz: approval expired unanswered: Promote erp (asked by <@U0ALICE>)',
      ':floppy_disk: newest backup of erp is 1d 6h old (limit 26h)',
      ':floppy_disk: chat has no backup at all',
    ]);
  });

  it('builds one message with the to-do list first and the health table after', () => {
    const msg = buildSummary(input);
    expect(msg.text).toBe('Health summary: 7 things need a person');
    const body = (msg.blocks ?? []).map((b) => (b.type === 'section' && b.text ? b.text.text : '')).join('');
    expect(body.indexOf('Needs a person (7)')).toBeLessThan(body.indexOf('1 of 3 envs unhealthy'));
    expect(body).toContain('Newest backups: main 3h 0m ago (dump), erp 1d 6h ago (managed)');
  });

  it('says so when nothing needs a person', () => {
    const quiet = buildSummary({
      ...input,
      report: { ...report, envs: [report.envs[0]!], locks: [] },
      pending: [],
      expired: [],
      backups: [{ db: 'main', at: iso(H), kind: 'dump' }],
    });
    expect(quiet.text).toBe('Health summary: all good');
  });
});
