import { AxiosError, AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import { approvalMessage, requesterNote } from '../../approvals/render.js';
import type { ApprovalRequest } from '../../approvals/types.js';
import { auditLine } from '../../commands/audit.js';
import { shortOutcome } from '../../handlers/deploy/thread-replies.js';
import { buildSummary } from '../../handlers/health/summary.js';
import type { HealthReport } from '../../handlers/health/types.js';
import type { PromotionPlan } from '../../handlers/promote/plan.js';
import { describeCandidate, describeRollbackCheck } from '../../handlers/rollback/describe.js';
import { validateRollback } from '../../handlers/rollback/validate.js';
import { maskedReadableWarning } from '../../src/db/writable.js';
import { toDocksideError } from '../../src/do/errors.js';
import { describeLock } from '../../src/locks/describe.js';
import { createLogger } from '../../src/logger.js';
import { renderBackupList, renderDumpFailed } from '../../src/render/backup.js';
import { deploymentMessage } from '../../src/render/deployment.js';
import { deploymentPhaseReply, deploymentStartReply } from '../../src/render/deployment-thread.js';
import { escapeText } from '../../src/render/format.js';
import { renderHealthReport } from '../../src/render/health.js';
import { describePlan } from '../../src/render/promote.js';
import { renderQueryResult } from '../../src/render/query.js';
import { toUserMessage } from '../../src/user-message.js';
import { deployment, FakeDo, gitService } from '../promote/fake-do.js';

/** Everything the issue names, the way it arrives from a person, a database or DigitalOcean. */
const HOSTILE = '<!channel> <!here> <@U123> <http://x|y> a & b *bold* _it_ ~gone~ `code`';

/** Every mrkdwn string in a message: text, block texts, context elements, fields. */
function mrkdwnOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(mrkdwnOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'text' || k === 'blocks' || k === 'elements' || k === 'fields' || k === 'initialComment'
        ? mrkdwnOf(v)
        : [],
    );
  }
  return [];
}

/** Nothing of HOSTILE may act as markup: no ping, no link, no bare `&`, no formatting run. */
function expectInert(rendered: unknown): void {
  const texts = mrkdwnOf(rendered);
  const all = texts.join('\n');
  expect(all.length).toBeGreaterThan(0);
  expect(all).toContain('&lt;!channel&gt;');
  for (const live of ['<!channel>', '<!here>', '<@U123>', '<http://x|y>', '`code`']) {
    expect(all).not.toContain(live);
  }
  expect(all).not.toMatch(/&(?!amp;|lt;|gt;)/);
  // Formatting is off inside code spans and blocks (where `escapeText(.., 'code')` keeps text as typed).
  const prose = all.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '');
  for (const live of ['*bold*', '_it_', '~gone~']) expect(prose).not.toContain(live);
}

const now = Date.parse('2026-11-22T12:00:00Z');
const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  id: 'req12345',
  kind: 'deploy',
  requester: 'U0ALICE',
  channel: 'C0DEV',
  command: `/deploy web production ${HOSTILE}`,
  app: 'web',
  env: 'production',
  summary: `Deploy web production. ${escapeText(HOSTILE)}`,
  binding: {},
  params: {},
  required: 1,
  approvals: [{ user: 'U0BOB', at: '2026-11-22T11:00:00Z' }],
  state: 'pending',
  createdAt: '2026-11-22T11:00:00Z',
  expiresAt: '2026-11-22T11:30:00Z',
  messages: [],
  ...over,
});
const lock = { app: 'web', env: 'production', by: 'U0BOB', reason: HOSTILE, since: '2026-11-20T08:00:00Z' };

describe('text from outside is inert in every message', () => {
  it('approval messages: command, rejection reason, outcome', () => {
    expectInert(approvalMessage(request()));
    expectInert(
      approvalMessage(request({ state: 'rejected', rejection: { user: 'U0BOB', reason: HOSTILE, at: '' } })),
    );
    expectInert(approvalMessage(request({ state: 'failed', outcome: HOSTILE })));
    expectInert(requesterNote(request({ state: 'succeeded', outcome: HOSTILE }), 'C0OPS'));
  });

  it('deployment messages: cause and the lines from DigitalOcean', () => {
    const d = { ...deployment({ at: '2026-11-22T11:00:00Z', spec: { name: 'web' } }), cause: HOSTILE };
    const record = {
      deploymentId: d.id,
      appId: 'app-1',
      app: 'web',
      env: 'staging',
      kind: 'deploy',
      user: 'U0ALICE',
      message: { channel: 'C0DEV', ts: '1' },
      startedAt: '2026-11-22T11:00:00Z',
    };
    // The cause goes in the thread's first reply; the channel line holds nothing from outside.
    expectInert(deploymentStartReply(record, d));
    const running = {
      ...d,
      phase: 'BUILDING' as const,
      progress: { ...d.progress, steps: [{ name: HOSTILE, status: 'RUNNING' }] },
    };
    expectInert(deploymentPhaseReply(record, running, now));
    // The end: the short reason on the line, from a failed step or a health body.
    const failed = {
      ...d,
      phase: 'ERROR' as const,
      progress: { ...d.progress, steps: [{ name: 'build', status: 'ERROR', reason: { message: HOSTILE } }] },
    };
    const short = shortOutcome({ record, deployment: failed, ok: false, timedOut: false }, false);
    expectInert(
      deploymentMessage({ record, deployment: failed, now, outcome: { ok: false, lines: [], short } }),
    );
    const unhealthy = shortOutcome(
      { record, deployment: d, ok: false, timedOut: false, health: { ok: false, summary: HOSTILE } },
      false,
    );
    expect(unhealthy).toContain('&lt;!channel&gt;');
  });

  it('privilege warnings in /health read as written: no backtick turned into a lookalike', () => {
    const warning = maskedReadableWarning({
      database: 'main',
      writable: [],
      maskedReadable: ['public.customers.email'],
    } as unknown as Parameters<typeof maskedReadableWarning>[0]);
    const report: HealthReport = {
      envs: [],
      databases: [{ name: 'main', state: 'good', latencyMs: 1, warnings: [warning ?? ''] }],
      redis: { name: 'redis', state: 'good', latencyMs: 1 },
      locks: [],
      checkedAt: '2026-11-22T12:00:00Z',
      durationMs: 10,
    };
    const text = JSON.stringify(renderHealthReport(report, now));
    expect(text).toContain('Run \\"dockside db grants main\\" for SQL that grants only the other columns.');
    expect(text).not.toContain('\u02cb');
  });

  it('lock descriptions, /health and the daily health summary', () => {
    expectInert(describeLock(lock));
    const report: HealthReport = {
      envs: [
        {
          app: 'web',
          env: 'production',
          appId: 'a',
          state: 'bad',
          checks: [{ name: 'http', state: 'bad', detail: HOSTILE }],
        },
      ],
      databases: [{ name: 'main', state: 'bad', error: HOSTILE }],
      redis: { name: 'redis', state: 'good', latencyMs: 1 },
      locks: [lock],
      checkedAt: '2026-11-22T12:00:00Z',
      durationMs: 10,
    };
    expectInert(renderHealthReport(report, now));
    expectInert(
      buildSummary({
        report,
        pending: [request()],
        expired: [],
        backups: [{ db: 'main', error: HOSTILE }],
        maxAgeHours: 26,
        now,
      }),
    );
  });

  it('backup lists and dump failures', () => {
    expectInert(renderBackupList('main', { items: [], managedError: HOSTILE }, now));
    expectInert(renderDumpFailed('main', HOSTILE));
  });

  it('SQL echoes and query results', () => {
    const rendered = renderQueryResult(
      {
        database: 'main',
        sql: `SELECT '${HOSTILE}'`,
        durationMs: 3,
        rowCount: 1,
        capped: null,
        columns: [{ name: 'x', masked: false }],
        rows: [[HOSTILE]],
        csv: { toBuffer: () => Buffer.from('') },
        cutCells: 0,
      } as unknown as Parameters<typeof renderQueryResult>[0],
      { maxRows: 50, maxCellBytes: 16_384, maxResultBytes: 16 * 1024 * 1024 },
      new Date(now),
    );
    // Inside code spans and blocks only a backtick or an entity could break out; the rest stays as typed.
    const all = mrkdwnOf(rendered.message).join('\n');
    expect(all).not.toMatch(/<!channel>|<!here>|<@U123>|<http:\/\/x\|y>|`code`/);
    expect(all).toContain('&lt;!channel&gt;');
  });

  it('/audit lines: the command as typed and the outcome', () => {
    expectInert(
      auditLine({
        id: '1',
        at: '2026-11-22T11:00:00Z',
        prev: 'genesis',
        hash: 'h',
        actor: 'U0ALICE',
        action: 'lock',
        command: `/lock web staging ${HOSTILE}`,
        result: 'succeeded',
        detail: HOSTILE,
      }),
    );
  });

  it('rollback lists and checks: causes and App Platform warnings', async () => {
    const fake = new FakeDo();
    const spec = { name: 'web', services: [gitService('web', 'acme/web', 'main')] };
    fake.addApp('app-1', spec);
    const old = fake.push('app-1', { ...deployment({ at: '2026-11-22T10:00:00Z', spec }), cause: HOSTILE });
    fake.push('app-1', deployment({ at: '2026-11-22T11:00:00Z', spec }));
    fake.validation = {
      valid: true,
      warnings: [{ code: 'something_new', message: HOSTILE, components: [HOSTILE] }],
    };
    const check = await validateRollback({
      do: fake,
      appId: 'app-1',
      deploymentId: old.id,
      appName: 'web',
      env: 'staging',
    });
    expectInert(describeRollbackCheck(check, { appName: 'web', env: 'staging' }).join('\n'));
    expectInert(
      describeCandidate({
        id: old.id,
        phase: 'SUPERSEDED',
        cause: HOSTILE,
        createdAt: old.createdAt,
        age: '1 h ago',
        active: false,
        pinned: false,
        selectable: true,
        components: [],
        runsShort: 'commit 1a2b3c4',
        sameAsActive: false,
      }),
    );
  });

  it('errors from DigitalOcean, as the person reads them', () => {
    const err = toDocksideError(
      new AxiosError('Request failed', 'ERR_BAD_REQUEST', undefined, undefined, {
        status: 422,
        statusText: 'Unprocessable Entity',
        data: { id: 'unprocessable_entity', message: HOSTILE },
        headers: {},
        config: { headers: new AxiosHeaders() },
      }),
      { thing: 'App 1', action: 'update app 1' },
      () => now,
    );
    expectInert(toUserMessage(err, createLogger({ level: 'silent' })));
  });

  it('promotion plans: blockers that carry GitHub or DigitalOcean words', () => {
    const plan = {
      appName: 'web',
      from: { env: 'staging', appId: 's' },
      to: { env: 'production', appId: 'p' },
      fromDeploymentId: 'd1',
      fromActiveSince: '2026-11-22T10:00:00Z',
      fromActiveForMs: 3_600_000,
      components: [],
      branchMoves: [],
      deploy: { kind: 'create_deployment' },
      blockers: [`\`web\`: ${escapeText(HOSTILE)}`],
      nothingToDo: false,
      binding: {},
    } satisfies PromotionPlan;
    expectInert(describePlan(plan).join('\n'));
  });
});
