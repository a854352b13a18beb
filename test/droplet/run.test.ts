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

function deps(audit: AuditLog, locked = false): DropletRunDeps & { posts: SlackMessage[] } {
  const config = world.config({ staging: { droplets: world.dropletsEnv(hosts) } });
  const target = world.target(config, 'staging');
  const posts: SlackMessage[] = [];
  return {
    posts,
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
    slack: { update: async (_ref, m) => void posts.push(m) },
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
  });

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
  it('is reported in the channel (escaped) and the audit log, marked failed in the release log, and its claim released', async () => {
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
    await store.update(intent.id, { stage: 'creating', hostsDone: ['10.0.0.5'], lastStep: 'up on 10.0.0.6' });
    const posts: Array<{ channel: string; text: string }> = [];
    const spy = auditSpy();
    await concludeInterruptedRollout(
      {
        releases,
        store,
        slack: {
          post: async (channel, m) => {
            posts.push({ channel, text: m.text });
            return { channel, ts: '2' };
          },
        },
        audit: spy.audit,
        log,
        finishApproval: async () => {
          throw new Error('not an approval');
        },
      },
      (await store.get(intent.id))!,
    );
    expect(posts).toHaveLength(1);
    expect(posts[0]?.channel).toBe('C0DEV');
    expect(posts[0]?.text).toContain('*Interrupted*');
    expect(posts[0]?.text).toContain('hosts it had finished: `10.0.0.5`; last step: `up on 10.0.0.6`');
    expect(posts[0]?.text).not.toContain('<!channel>');
    expect(spy.entries).toEqual([
      expect.objectContaining({ action: 'deploy.result', result: 'failed', ref: 'a-start' }),
    ]);
    expect(await releases.get('api', 'staging', id)).toMatchObject({
      outcome: 'failed',
      failure: { host: '10.0.0.6', reason: 'interrupted: dockside stopped during the rollout' },
    });
    expect(await releases.claim('api', 'staging', 'next', 1000)).toBeUndefined();
    expect(await store.get(intent.id)).toBeNull();
  });
});
