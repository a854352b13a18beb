import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../approvals/types.js';
import { deployCommand } from '../../commands/deploy.js';
import { promoteCommand } from '../../commands/promote.js';
import { ROLLBACK_LIST_TTL_MS, rollbackCommand } from '../../commands/rollback.js';
import type { CommandContext } from '../../commands/types.js';
import type {
  ActionContext,
  ActionRequest,
  ActionResult,
  ApprovedAction,
  Prepared,
  PreparedAction,
} from '../../handlers/deploy/actions.js';
import { createExecutors } from '../../handlers/deploy/executors.js';
import type { DeployTarget, TargetKind } from '../../handlers/deploy/target.js';
import { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { FakeClock } from '../backup/helpers.js';
import { unreachableDroplets } from '../helpers/droplets-config.js';

const droplets = unreachableDroplets;
const config = Config.parse({
  channels: { ops: 'C0123456789' },
  apps: {
    web: {
      environments: {
        staging: { app_id: '6f0e0b6e-1111-4222-8333-444455556666' },
        production: { app_id: '6f0e0b6e-1111-4222-8333-777788889999' },
      },
      promote: { from: 'staging', to: 'production' },
    },
    api: {
      environments: { staging: { droplets }, production: { droplets } },
      promote: { from: 'staging', to: 'production' },
    },
  },
});

/** A target of either kind that records what it was asked and answers as told. */
function recordingTarget(kind: TargetKind, app: string, env: string, answers: { prepared?: Prepared } = {}) {
  const calls: Array<
    | { call: 'prepare'; request: ActionRequest; approval: boolean }
    | { call: 'run'; action: PreparedAction; context: ActionContext }
    | { call: 'runApproved'; approved: ApprovedAction; context: ActionContext }
  > = [];
  const action: PreparedAction = {
    kind: 'deploy',
    summary: `card text for ${app} ${env}`,
    binding: { target: kind === 'droplets' ? 'droplets' : 'app_platform', current: 'c1' },
    params: { p: '1' },
  };
  const result: ActionResult =
    kind === 'droplets'
      ? { status: 'done', ok: false, detail: 'host 10.0.0.5 failed', releaseId: 'r1' }
      : { status: 'started', detail: 'deployment d1 started', doIds: { appId: 'a', deploymentId: 'd1' } };
  const target = {
    kind,
    app,
    env,
    async prepare(request: ActionRequest, options: { approval: boolean }) {
      calls.push({ call: 'prepare', request, approval: options.approval });
      return answers.prepared ?? { status: 'ready', action: { ...action, kind: request.kind } };
    },
    async run(a: PreparedAction, context: ActionContext) {
      calls.push({ call: 'run', action: a, context });
      return result;
    },
    async runApproved(approved: ApprovedAction, context: ActionContext) {
      calls.push({ call: 'runApproved', approved, context });
      return result;
    },
  } as unknown as DeployTarget;
  return { target, calls };
}

function world(answers: { prepared?: Prepared } = {}) {
  const built = new Map<string, ReturnType<typeof recordingTarget>>();
  const targets = {
    get(app: string, env: string) {
      const key = `${app}/${env}`;
      const existing = built.get(key);
      if (existing) return existing.target;
      const kind = config.apps[app]?.environments[env]?.droplets ? 'droplets' : 'app_platform';
      const made = recordingTarget(kind, app, env, answers);
      built.set(key, made);
      return made.target;
    },
  };
  const requests: unknown[] = [];
  const approvals = {
    async request(input: Record<string, unknown>) {
      requests.push(input);
      return { id: 'REQ000000001', duplicate: false, required: 1, requester: 'U0ALICE' } as never;
    },
  };
  const clock = new FakeClock(Date.parse('2026-11-30T12:00:00Z'));
  const calls = (app: string, env: string) => built.get(`${app}/${env}`)?.calls ?? [];
  return { targets, approvals, requests, clock, calls };
}

function context(commandText: string, text: string) {
  const ephemeral: SlackMessage[] = [];
  const posted: SlackMessage[] = [];
  const ctx: CommandContext = {
    invocation: { user: 'U0ALICE', channel: 'C0DEV', text, commandText, requestId: 'r' },
    config,
    reply: {
      ephemeral: async (m) => void ephemeral.push(m),
      inChannel: async (m) => {
        posted.push(m);
        return { channel: 'C0DEV', ts: '1.1' };
      },
    },
    slack: {} as CommandContext['slack'],
    log: createLogger({ level: 'silent' }),
    auditId: 'audit-1',
  };
  return { ctx, ephemeral, posted };
}

describe('commands drive both kinds of env through the deploy target interface', () => {
  it('/deploy on staging prepares and runs at once, for App Platform and Droplets alike', async () => {
    const w = world();
    const deploy = deployCommand({ approvals: w.approvals, targets: w.targets });
    const web = context('/deploy', 'web staging --force-build');
    const started = await deploy.run(web.ctx, deploy.parse('web staging --force-build', config));
    const api = context('/deploy', 'api staging v2');
    const done = await deploy.run(api.ctx, deploy.parse('api staging v2', config));

    expect(w.calls('web', 'staging').map((c) => c.call)).toEqual(['prepare', 'run']);
    expect(w.calls('web', 'staging')[0]).toMatchObject({
      request: { kind: 'deploy', forceBuild: true },
      approval: false,
    });
    expect(w.calls('api', 'staging')[0]).toMatchObject({ request: { kind: 'deploy', tag: 'v2' } });
    // The progress goes to the channel asked from, tied to the command's audit entry.
    expect(w.calls('api', 'staging')[1]).toMatchObject({
      context: { user: 'U0ALICE', channel: 'C0DEV', command: '/deploy api staging v2', auditRef: 'audit-1' },
    });
    expect(started).toEqual({
      result: 'succeeded',
      detail: 'deployment d1 started',
      doIds: { appId: 'a', deploymentId: 'd1' },
    });
    expect(done).toEqual({ result: 'failed', detail: 'host 10.0.0.5 failed', data: { releaseId: 'r1' } });
    expect(w.requests).toHaveLength(0);
  });

  it('/deploy on production asks for approval with what the target prepared, and runs nothing', async () => {
    const w = world();
    const deploy = deployCommand({ approvals: w.approvals, targets: w.targets });
    for (const app of ['web', 'api']) {
      const c = context('/deploy', `${app} production`);
      const outcome = await deploy.run(c.ctx, deploy.parse(`${app} production`, config));
      expect(outcome).toMatchObject({ result: 'requested' });
      expect(w.calls(app, 'production').map((x) => x.call)).toEqual(['prepare']);
      expect(w.calls(app, 'production')[0]).toMatchObject({ approval: true });
    }
    expect(w.requests[0]).toMatchObject({
      kind: 'deploy',
      app: 'web',
      env: 'production',
      summary: 'card text for web production',
      binding: { target: 'app_platform', current: 'c1' },
      params: { p: '1' },
      command: '/deploy web production',
    });
  });

  it('/promote says "nothing to promote" or why it cannot, in the words the target gave', async () => {
    const nothing = world({ prepared: { status: 'nothing', message: 'production already runs it.' } });
    const promote = promoteCommand({ approvals: nothing.approvals, targets: nothing.targets });
    const a = context('/promote', 'api');
    expect(await promote.run(a.ctx, promote.parse('api', config))).toEqual({
      result: 'succeeded',
      detail: 'nothing to promote',
    });
    expect(a.ephemeral[0]?.text).toBe('production already runs it.');
    expect(nothing.calls('api', 'production')[0]).toMatchObject({
      request: { kind: 'promote', from: 'staging' },
      approval: true,
    });

    const blocked = world({ prepared: { status: 'blocked', reasons: ['staging is deploying', 'no build'] } });
    const promote2 = promoteCommand({ approvals: blocked.approvals, targets: blocked.targets });
    const b = context('/promote', 'web');
    expect(await promote2.run(b.ctx, promote2.parse('web', config))).toMatchObject({ result: 'refused' });
    expect(b.ephemeral[0]?.text).toBe('Cannot promote web now:\n• staging is deploying\n• no build');
    expect(blocked.requests).toHaveLength(0);
  });

  it('/rollback <id> from a list too old to act never reaches the target', async () => {
    const w = world();
    const rollback = rollbackCommand({ ...w, do: undefined, locks: undefined } as never);
    const old = w.clock.now() - ROLLBACK_LIST_TTL_MS - 1000;
    for (const [app, id] of [
      ['web', '0a1b2c3d-0000-4000-8000-000000000001'],
      ['api', 'r20261130T122530-ab12'],
    ] as const) {
      const text = `${app} staging ${id} --list none@${old}`;
      const c = context('/rollback', text);
      await expect(rollback.run(c.ctx, rollback.parse(text, config))).rejects.toMatchObject({
        code: 'rollback_invalid',
        message: expect.stringContaining('old, so its buttons no longer act'),
      });
      expect(w.calls(app, 'staging')).toHaveLength(0);
    }
    const text = `web staging 0a1b2c3d-0000-4000-8000-000000000001 --list d1@${w.clock.now()}`;
    const c = context('/rollback', text);
    await rollback.run(c.ctx, rollback.parse(text, config));
    expect(w.calls('web', 'staging')[0]).toMatchObject({
      request: { kind: 'rollback', to: '0a1b2c3d-0000-4000-8000-000000000001', listState: 'd1' },
    });
    // The list token is bookkeeping: the command on record is what the person asked.
    expect(w.calls('web', 'staging')[1]).toMatchObject({
      context: { command: '/rollback web staging 0a1b2c3d-0000-4000-8000-000000000001' },
    });
  });
});

describe('approved deploys, rollbacks and promotions run through the target', () => {
  const request = (over: Partial<ApprovalRequest>): ApprovalRequest =>
    ({
      id: 'REQ000000001',
      kind: 'deploy',
      app: 'api',
      env: 'production',
      requester: 'U0ALICE',
      channel: 'C0DEV',
      command: '/deploy api production',
      binding: { target: 'droplets', current: 'c1' },
      params: { tag: 'v2' },
      approvals: [{ user: 'U0BOB', at: '2026-11-30T12:00:00Z' }],
      ...over,
    }) as ApprovalRequest;

  function executors() {
    const w = world();
    const made = createExecutors({
      config,
      targets: w.targets,
      slack: { post: async () => ({ channel: 'C0DEV', ts: '9.9' }) },
    } as never);
    return { w, made };
  }

  it('hands the binding and params to runApproved, with who approved, and maps its result', async () => {
    const { w, made } = executors();
    expect(await made.deploy?.(request({}))).toEqual({
      status: 'done',
      ok: false,
      detail: 'host 10.0.0.5 failed',
    });
    expect(w.calls('api', 'production')[0]).toMatchObject({
      call: 'runApproved',
      approved: {
        kind: 'deploy',
        binding: { current: 'c1' },
        params: { tag: 'v2' },
        command: '/deploy api production',
      },
      context: {
        user: 'U0ALICE',
        channel: 'C0DEV',
        approvalId: 'REQ000000001',
        lines: ['Approved by <@U0BOB>.'],
      },
    });
    const web = await made.rollback?.(
      request({
        kind: 'rollback',
        app: 'web',
        binding: { target_deployment_id: 'd0' },
        command: '/rollback web production d0',
      }),
    );
    expect(web).toEqual({
      status: 'started',
      detail: 'deployment d1 started',
      doIds: { appId: 'a', deploymentId: 'd1' },
    });
  });

  it('voids a request made for one kind of env when the env now runs on the other', async () => {
    const { w, made } = executors();
    // Filed while web production was a Droplet env; dockside.yml now gives it an App Platform app.
    await expect(made.promote?.(request({ kind: 'promote', app: 'web' }))).rejects.toMatchObject({
      code: 'approval_stale',
      message: expect.stringContaining('runs on App Platform now, not on Droplets'),
    });
    expect(w.calls('web', 'production')).toHaveLength(0);
  });
});
