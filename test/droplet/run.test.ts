import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReleaseLog } from '../../handlers/droplet/release-log.js';
import { type DropletRunDeps, runDropletPlan } from '../../handlers/droplet/run.js';
import { concludeInterruptedRollout } from '../../handlers/droplet/run-recovery.js';
import type { AuditEntry, AuditEntryInput, AuditLog } from '../../src/audit/types.js';
import { systemClock } from '../../src/clock.js';
import { DocksideError } from '../../src/errors.js';
import { createIntentStore } from '../../src/intents.js';
import { createLogger } from '../../src/logger.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { testRedis } from '../helpers/redis.js';
import type { SimHost } from '../helpers/sshd.js';
import { type DropletWorld, startDropletWorld } from './world.js';

const { redis } = testRedis('droplet-run');
const nameOf = (h: SimHost) => `[${h.ip}]:${h.port}`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const log = createLogger({ level: 'silent' });
let world: DropletWorld;
let hosts: SimHost[];

beforeAll(async () => {
  world = await startDropletWorld({ hosts: 1, redis });
  hosts = world.ssh.hosts;
  for (const h of hosts) h.seed(world.releaseFile(world.push('v1')));
}, 60_000);
afterAll(() => world?.close());

function auditSpy(failing = false) {
  const entries: AuditEntryInput[] = [];
  const audit: AuditLog = {
    async append(entry) {
      if (failing) throw new DocksideError('audit_unavailable', 'The audit log cannot be written.');
      entries.push(entry);
      return { ...entry, id: `a${entries.length}`, at: '', prev: '', hash: '' } as AuditEntry;
    },
    list: async () => [],
    verify: async () => ({ ok: true, checked: 0 }),
    export: async function* () {},
  };
  return { audit, entries };
}

interface Reply {
  channel: string;
  message: SlackMessage;
  threadTs?: string;
}

/** Slack's answer when it refuses a call (what @slack/web-api throws). */
const slackRefusal = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });

function deps(
  audit: AuditLog,
  locked = false,
  options: { refuseReplies?: string } = {},
): DropletRunDeps & { posts: SlackMessage[]; replies: Reply[] } {
  const config = world.config({ staging: { droplets: world.dropletsEnv(hosts) } });
  const target = world.target(config, 'staging');
  const posts: SlackMessage[] = [];
  const replies: Reply[] = [];
  return {
    posts,
    replies,
    targets: { droplet: () => target },
    locks: {
      get: async () =>
        locked
          ? { app: 'api', env: 'staging', by: 'U0BOB', reason: 'incident', since: new Date().toISOString() }
          : null,
      list: async () => [],
      lock: async () => {},
      unlock: async () => null,
    },
    audit,
    intents: { store: createIntentStore(redis, systemClock), replicaId: 'r-test', working: new Set() },
    slack: {
      update: async (_ref, m) => void posts.push(m),
      post: async (channel, message, opts) => {
        if (options.refuseReplies && opts?.threadTs) throw slackRefusal(options.refuseReplies);
        replies.push({ channel, message, ...(opts?.threadTs ? { threadTs: opts.threadTs } : {}) });
        return { channel, ts: `2.${replies.length}` };
      },
    },
    clock: systemClock,
    log,
    progressIntervalMs: 10,
  };
}

const context = (d: { posts: SlackMessage[] }) => ({
  user: 'U0ALICE',
  channel: 'C0DEV',
  command: '/deploy api staging v2',
  post: async (m: SlackMessage) => {
    d.posts.push(m);
    return { channel: 'C0DEV', ts: '1.1' };
  },
  auditRef: 'cmd-1',
});

const lineText = (m: SlackMessage | undefined) =>
  (m?.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text ?? '';
const thread = (d: { replies: Reply[] }) => d.replies.filter((r) => r.threadTs === '1.1');
const finalReply = (d: { replies: Reply[] }) => thread(d).find((r) => /, the details$/.test(r.message.text));

describe('runDropletPlan', () => {
  it('no audit, no action: when the entry cannot be written, no host is touched and no intent is left', async () => {
    hosts[0]!.clearCommands();
    const d = deps(auditSpy(true).audit);
    world.push('v2');
    const plan = await d.targets.droplet('api', 'staging').planDeploy({ tag: 'v2' });
    hosts[0]!.clearCommands(); // planning read the release file
    await expect(runDropletPlan(d, plan, context(d))).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect(hosts[0]!.commands()).toEqual([]);
    expect(d.posts).toEqual([]);
    expect(await d.intents.store.list()).toEqual([]);
  });

  it('refuses a locked env before anything is written or touched', async () => {
    const spy = auditSpy();
    const d = deps(spy.audit, true);
    const plan = await d.targets.droplet('api', 'staging').planDeploy({ tag: 'v2' });
    hosts[0]!.clearCommands();
    await expect(runDropletPlan(d, plan, context(d))).rejects.toMatchObject({ code: 'env_locked' });
    expect(spy.entries).toEqual([]);
    expect(hosts[0]!.commands()).toEqual([]);
  });

  it('writes the entry first, the outcome after (pointing at it), and leaves no intent', async () => {
    const spy = auditSpy();
    const d = deps(spy.audit);
    const plan = await d.targets.droplet('api', 'staging').planDeploy({ tag: 'v2' });
    const result = await runDropletPlan(d, plan, context(d));
    expect(result.ok).toBe(true);
    expect(spy.entries.map((e) => `${e.action}:${e.result}:${e.ref}`)).toEqual([
      'deploy.rollout:started:cmd-1',
      'deploy.result:succeeded:a1',
    ]);
    expect(await d.intents.store.list()).toEqual([]);
    expect(d.posts.at(-1)?.text).toBe('Deploying api staging: done');
    // The thread opens with who asked and the command, and ends with where the release runs.
    expect(JSON.stringify(thread(d)[0]?.message.blocks)).toContain(
      'Requested by <@U0ALICE> · `/deploy api staging v2`',
    );
    expect(finalReply(d)?.message.text).toBe('Deploying api staging: done, the details');
    expect(JSON.stringify(finalReply(d)?.message.blocks)).toContain(`runs on \`${nameOf(hosts[0]!)}\``);
  });

  it('a failure: the line ends ❌ naming the host, with the duration; the thread has the log tail and mentions the requester', async () => {
    const spy = auditSpy();
    const d = deps(spy.audit);
    const bad = world.push('v4');
    hosts[0]!.unhealthyWhen(bad.backend);
    try {
      const plan = await d.targets.droplet('api', 'staging').planDeploy({ tag: 'v4' });
      const result = await runDropletPlan(d, plan, { ...context(d), command: '/deploy api staging v4' });
      expect(result.ok).toBe(false);
    } finally {
      hosts[0]!.unhealthyWhen(undefined);
    }
    expect(d.posts.at(-1)?.text).toBe('Deploying api staging: failed');
    expect(lineText(d.posts.at(-1))).toMatch(
      new RegExp(
        `^:x: \\*Deploying api staging\\* \\(Droplets\\): \`${escapeRe(nameOf(hosts[0]!))}\` failed: .*did not become healthy.*, \\d+(\\.\\d)? m?s$`,
      ),
    );
    const final = finalReply(d);
    expect(final?.message.text).toBe('Deploying api staging: failed, the details');
    const details = JSON.stringify(final?.message.blocks);
    expect(details).toContain(`<@U0ALICE> *\`${nameOf(hosts[0]!)}\` failed*`);
    expect(details).toContain('database connection refused');
    expect(details).not.toContain('ghp_abcdefghijklmnopqrstuvwx');
    expect(details).toContain(`Put back on the previous release: \`${nameOf(hosts[0]!)}\``);
    // The host steps were told in the thread, between its first reply and the outcome.
    const steps = JSON.stringify(
      thread(d)
        .slice(1, -1)
        .map((r) => r.message.blocks),
    );
    expect(steps).toContain(`\`${nameOf(hosts[0]!)}\` writing the release file`);
    expect(steps).toContain(`:x: \`${nameOf(hosts[0]!)}\` failed`);
  });

  for (const [what, refuse] of [
    ['a thread dockside cannot reply in', { replies: 'restricted_action_non_threadable_channel' }],
    ['a channel an approved run cannot post in', { line: 'not_in_channel' }],
  ] as const) {
    it(`${what} starts nothing: no host is touched, the refusal is audited`, async () => {
      const spy = auditSpy();
      const d = deps(spy.audit, false, 'replies' in refuse ? { refuseReplies: refuse.replies } : {});
      world.push('v5');
      const plan = await d.targets.droplet('api', 'staging').planDeploy({ tag: 'v5' });
      hosts[0]!.clearCommands();
      const ctx = context(d);
      const post =
        'line' in refuse
          ? async () => {
              // As deps.slack.post answers for an approved request: Slack's own error, not dockside's.
              throw slackRefusal(refuse.line);
            }
          : ctx.post;
      await expect(runDropletPlan(d, plan, { ...ctx, post })).rejects.toMatchObject({
        code: 'not_in_channel',
        message: expect.stringContaining('so nothing was started'),
      });
      expect(hosts[0]!.commands()).toEqual([]);
      expect(spy.entries.map((e) => `${e.action}:${e.result}`)).toEqual([
        'deploy.rollout:started',
        'deploy.result:refused',
      ]);
      expect(await d.intents.store.list()).toEqual([]);
      if ('replies' in refuse) {
        // The line it could post says why nothing happened.
        expect(d.posts.at(-1)?.text).toBe('Deploying api staging: failed');
        expect(lineText(d.posts.at(-1))).toContain('restricted_action_non_threadable_channel');
      }
    });
  }

  it("leaves an approval's intent and its mark of work in progress to the approval service", async () => {
    const spy = auditSpy();
    const d = deps(spy.audit);
    const approval = await d.intents.store.create({
      id: 'appr-1',
      approvalId: 'appr-1',
      kind: 'deploy',
      owner: 'r-test',
      user: 'U0ALICE',
      channel: 'C0DEV',
    });
    // The approval service marks it before running the executor and finishes it after.
    d.intents.working.add(approval.id);
    world.push('v3');
    const plan = await d.targets.droplet('api', 'staging').planDeploy({ tag: 'v3' });
    const result = await runDropletPlan(d, plan, { ...context(d), approvalId: approval.id });
    expect(result.ok).toBe(true);
    expect(d.intents.working.has(approval.id)).toBe(true);
    expect(await d.intents.store.get(approval.id)).toMatchObject({
      stage: 'creating',
      target: 'droplets',
      releaseId: plan.release.id,
      hostsDone: [`[${hosts[0]!.ip}]:${hosts[0]!.port}`],
    });
    await d.intents.store.remove(approval.id);
  });
});

describe('an interrupted rollout without an approval', () => {
  async function interrupted(message?: { channel: string; ts: string }) {
    const releases = createReleaseLog({ redis, clock: systemClock });
    const store = createIntentStore(redis, systemClock);
    const id = releases.newId();
    await releases.claim('api', 'staging', id, 60_000);
    await releases.start('api', 'staging', {
      id,
      services: [],
      kind: 'deploy',
      by: 'U0ALICE',
      at: new Date().toISOString(),
      outcome: 'started',
    });
    const intent = await store.create({
      kind: 'deploy',
      owner: 'dead',
      user: 'U0ALICE',
      channel: 'C0DEV',
      command: '/deploy api staging <!channel>`x',
      app: 'api',
      env: 'staging',
      target: 'droplets',
      releaseId: id,
      auditRef: 'a-start',
    });
    await store.update(intent.id, {
      stage: 'creating',
      hostsDone: ['10.0.0.5'],
      lastStep: 'up on 10.0.0.6',
      ...(message ? { message } : {}),
    });
    const posts: Array<{ channel: string; text: string; blocks: string; threadTs?: string }> = [];
    const updates: SlackMessage[] = [];
    const spy = auditSpy();
    await concludeInterruptedRollout(
      {
        releases,
        store,
        slack: {
          post: async (channel, m, options) => {
            posts.push({
              channel,
              text: m.text,
              blocks: JSON.stringify(m.blocks ?? []),
              ...(options?.threadTs ? { threadTs: options.threadTs } : {}),
            });
            return { channel, ts: '2' };
          },
          update: async (_ref, m) => void updates.push(m),
        },
        audit: spy.audit,
        log,
        clock: { now: () => Date.parse(intent.createdAt) + 95_000 },
        finishApproval: async () => {
          throw new Error('not an approval');
        },
      },
      (await store.get(intent.id))!,
    );
    expect(spy.entries).toEqual([
      expect.objectContaining({ action: 'deploy.result', result: 'failed', ref: 'a-start' }),
    ]);
    expect(await releases.get('api', 'staging', id)).toMatchObject({
      outcome: 'failed',
      failure: { host: '10.0.0.6', reason: 'interrupted: dockside stopped during the rollout' },
    });
    expect(await releases.claim('api', 'staging', 'next', 1000)).toBeUndefined();
    await releases.unclaim('api', 'staging', 'next');
    expect(await store.get(intent.id)).toBeNull();
    return { posts, updates };
  }

  it('ends its line ❌ with the duration and tells why in its thread (escaped), mentioning the requester; audited, marked failed, claim released', async () => {
    const { posts, updates } = await interrupted({ channel: 'C0DEV', ts: '1.5' });
    expect(updates).toHaveLength(1);
    expect(updates[0]?.text).toBe('Deploying api staging: failed');
    expect(lineText(updates[0])).toBe(
      ':x: *Deploying api staging* (Droplets): interrupted: dockside stopped during the rollout, 1 min 35 s',
    );
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      channel: 'C0DEV',
      threadTs: '1.5',
      text: 'Deploying api staging: failed, the details',
    });
    expect(posts[0]?.blocks).toContain('<@U0ALICE> :warning: *Interrupted*');
    expect(posts[0]?.blocks).toContain('hosts it had finished: `10.0.0.5`; last step: `up on 10.0.0.6`');
    expect(posts[0]?.blocks).not.toContain('<!channel>');
  });

  it('is reported in the channel when its line was never posted', async () => {
    const { posts, updates } = await interrupted();
    expect(updates).toEqual([]);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.channel).toBe('C0DEV');
    expect(posts[0]?.threadTs).toBeUndefined();
    expect(posts[0]?.text).toContain('<@U0ALICE> :warning: *Interrupted*');
    expect(posts[0]?.text).toContain('hosts it had finished: `10.0.0.5`; last step: `up on 10.0.0.6`');
    expect(posts[0]?.text).not.toContain('<!channel>');
  });
});
