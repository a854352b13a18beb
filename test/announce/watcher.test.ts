import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createAnnounceStore } from '../../handlers/announce/store.js';
import { createOutOfBandWatcher, servedBefore } from '../../handlers/announce/watcher.js';
import { createWatcherStore, type WatchRecord } from '../../handlers/deploy/watchers.js';
import type { App, Deployment } from '../../src/do/port.js';
import { createIntentStore } from '../../src/intents.js';
import { TickLease } from '../../src/scheduler/lease.js';
import { FakeClock, makeConfig, silentLog } from '../backup/helpers.js';
import { REDIS_URL, testRedis } from '../helpers/redis.js';
import { appOf, dep, T } from './fixtures.js';

const STAGING = '6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601';
const PRODUCTION = '9a1c7e2d-4b5f-4a60-9c71-d2e3f4a5b602';
const TICK = 30_000;

/** What DigitalOcean shows, and how many requests the watchers made of it. */
function fakeDo() {
  const world = {
    apps: new Map<string, App>(),
    recent: new Map<string, Deployment[]>(),
    /** Apps whose deployments cannot be listed (DigitalOcean answers 5xx after retries). */
    broken: new Set<string>(),
    calls: { list: 0, deployments: 0 },
  };
  return {
    world,
    apps: {
      listApps: async () => {
        world.calls.list += 1;
        return [...world.apps.values()];
      },
    },
    do: {
      listDeployments: async (appId: string) => {
        world.calls.deployments += 1;
        if (world.broken.has(appId)) throw new Error('DigitalOcean answered 503');
        return world.recent.get(appId) ?? [];
      },
    },
  };
}

describe('out-of-band watcher', () => {
  const { prefix } = testRedis('oob');
  const connections: Redis[] = [];
  afterAll(() => {
    for (const c of connections) c.disconnect();
  });
  const config = makeConfig({
    channels: { ops: 'C0OPS000001' },
    apps: {
      web: {
        environments: {
          staging: { app_id: STAGING },
          production: { app_id: PRODUCTION, health_url: 'https://example.com/health' },
        },
      },
    },
  });
  const clock = new FakeClock(Date.parse(T(0)));
  const fake = fakeDo();
  const followed: number[] = [];

  /** A replica: its own Redis connection to the shared key space. */
  function replica(id: string) {
    const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
    connections.push(redis);
    const intents = createIntentStore(redis, clock);
    const watcher = createOutOfBandWatcher({
      config,
      apps: fake.apps,
      do: fake.do,
      store: createAnnounceStore(redis),
      intents,
      lease: new TickLease(redis, id),
      follow: async () => followed.push(1),
      clock,
      log: silentLog,
      replicaId: id,
      tickMs: TICK,
      pollMs: 15_000,
    });
    return { watcher, intents, watchers: createWatcherStore(redis) };
  }
  const replicas = ['r1', 'r2', 'r3'].map(replica);
  const [first] = replicas;
  if (!first) throw new Error('no replica');
  const tickAll = async () => {
    clock.advance(TICK);
    return Promise.all(replicas.map((r) => r.watcher.tick()));
  };

  const stagingActive = dep('ACTIVE', T(0));
  const productionActive = dep('ACTIVE', T(0));
  fake.world.apps.set(STAGING, appOf(STAGING, { active: stagingActive, last: T(0) }));
  fake.world.apps.set(PRODUCTION, appOf(PRODUCTION, { active: productionActive, last: T(0) }));

  it('polls on one replica per period, with one list request and no more while nothing changes', async () => {
    const reports = await tickAll();
    expect(reports.filter((r) => r.polled)).toHaveLength(1);
    expect(fake.world.calls).toEqual({ list: 1, deployments: 0 });
    await tickAll();
    await tickAll();
    expect(fake.world.calls).toEqual({ list: 3, deployments: 0 });
  });

  it('claims a push exactly once across replicas, as a watch record of kind external', async () => {
    const push = dep('BUILDING', T(2), {
      causeDetails: { type: 'DEPLOY_ON_PUSH', gitPush: { commitSha: 'abcdef1234', branch: 'main' } },
    });
    fake.world.apps.set(STAGING, appOf(STAGING, { active: stagingActive, inProgress: push, last: T(2) }));
    fake.world.recent.set(STAGING, [push, stagingActive]);
    const reports = await tickAll();
    expect(reports.flatMap((r) => r.claimed)).toEqual([push.id]);
    expect(fake.world.calls.deployments).toBe(1);
    const records = await first.watchers.list();
    const record = records.find((r) => r.deploymentId === push.id);
    expect(record).toMatchObject({
      kind: 'external',
      app: 'web',
      env: 'staging',
      user: '',
      postOnlyIfFailed: true,
      previousDeploymentId: stagingActive.id,
      pollMs: 15_000,
      message: { channel: 'C0OPS000001', ts: '' },
    });
    expect(record?.channel).toBeUndefined();
    expect(record?.lines?.[0]).toContain('git push of `abcdef1`');
    expect(followed.length).toBe(1);
    // Later periods (any replica) see it again in the list and claim nothing more.
    await tickAll();
    await tickAll();
    expect((await Promise.all(replicas.map((r) => r.watcher.tick()))).flatMap((r) => r.claimed)).toEqual([]);
  });

  it('claims a deployment once even when every replica races for it', async () => {
    const claims = Array.from({ length: 6 }, (_, i) => {
      const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
      connections.push(redis);
      const record: WatchRecord = {
        deploymentId: 'race-1',
        appId: STAGING,
        app: 'web',
        env: 'staging',
        kind: 'external',
        user: '',
        message: { channel: 'C', ts: '' },
        startedAt: T(0),
      };
      return createAnnounceStore(redis).claim(record, `r${i}`);
    });
    const wins = await Promise.all(claims);
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('never claims what dockside started: waits on its intent, then finds the claim of its watch record', async () => {
    const ours = dep('BUILDING', T(5));
    const intent = await first.intents.create({
      kind: 'deploy',
      owner: 'r1',
      user: 'U0ALICE',
      channel: 'C0DEV',
      app: 'web',
      env: 'production',
      appId: PRODUCTION,
    });
    // DigitalOcean shows the deployment before dockside saved its record.
    fake.world.apps.set(
      PRODUCTION,
      appOf(PRODUCTION, { active: productionActive, inProgress: ours, last: T(5) }),
    );
    fake.world.recent.set(PRODUCTION, [ours, productionActive]);
    const waiting = await tickAll();
    expect(waiting.flatMap((r) => r.claimed)).toEqual([]);
    expect(waiting.flatMap((r) => r.deferred)).toEqual([ours.id]);
    const record: WatchRecord = {
      deploymentId: ours.id,
      appId: PRODUCTION,
      app: 'web',
      env: 'production',
      kind: 'deploy',
      user: 'U0ALICE',
      message: { channel: 'C0DEV', ts: '1.1' },
      startedAt: T(5),
    };
    await first.watchers.save(record, intent.id);
    // It even finished and its record is gone before the next look.
    await first.watchers.remove(ours.id);
    fake.world.apps.set(PRODUCTION, appOf(PRODUCTION, { active: ours, last: T(5) }));
    const after = await tickAll();
    expect(after.flatMap((r) => [...r.claimed, ...r.deferred])).toEqual([]);
    expect((await first.watchers.list()).some((r) => r.deploymentId === ours.id)).toBe(false);
  });

  it('catches one that started and failed between two looks', async () => {
    const failed = dep('ERROR', T(7));
    const active = fake.world.apps.get(PRODUCTION)?.activeDeployment;
    fake.world.apps.set(PRODUCTION, appOf(PRODUCTION, { ...(active ? { active } : {}), last: T(7) }));
    fake.world.recent.set(PRODUCTION, [failed, ...(active ? [active] : [])]);
    const reports = await tickAll();
    expect(reports.flatMap((r) => r.claimed)).toEqual([failed.id]);
    const record = (await first.watchers.list()).find((r) => r.deploymentId === failed.id);
    // Production announces everything: a progress message goes to the ops channel.
    expect(record).toMatchObject({ channel: 'C0OPS000001', healthUrl: 'https://example.com/health' });
    expect(record?.postOnlyIfFailed).toBeUndefined();
  });

  it('knows what served before one that went live between two looks: the newest earlier deployment that went live', () => {
    const live = (d: Deployment): Deployment => ({
      ...d,
      progress: { successSteps: 4, totalSteps: 4, errorSteps: 0, steps: [] },
    });
    const older = live(dep('SUPERSEDED', T(1)));
    const failed = dep('ERROR', T(2));
    const canceled = dep('SUPERSEDED', T(3));
    const fast = live(dep('ACTIVE', T(4)));
    const app = appOf('a', { active: fast, last: T(4) });
    expect(servedBefore(app, fast, [fast, canceled, failed, older])).toBe(older.id);
    const running = dep('BUILDING', T(5));
    expect(servedBefore(appOf('a', { active: fast, inProgress: running }), running, [])).toBe(fast.id);
  });

  it('goes on with the other apps when one cannot be read, and looks at that one again later', async () => {
    const staging = dep('BUILDING', T(9));
    const production = dep('BUILDING', T(9));
    const stagingBefore = fake.world.apps.get(STAGING)?.activeDeployment;
    const productionBefore = fake.world.apps.get(PRODUCTION)?.activeDeployment;
    fake.world.apps.set(
      STAGING,
      appOf(STAGING, {
        ...(stagingBefore ? { active: stagingBefore } : {}),
        inProgress: staging,
        last: T(9),
      }),
    );
    fake.world.apps.set(
      PRODUCTION,
      appOf(PRODUCTION, {
        ...(productionBefore ? { active: productionBefore } : {}),
        inProgress: production,
        last: T(9),
      }),
    );
    fake.world.recent.set(STAGING, [staging]);
    fake.world.recent.set(PRODUCTION, [production]);
    fake.world.broken.add(STAGING);
    expect((await tickAll()).flatMap((r) => r.claimed)).toEqual([production.id]);
    fake.world.broken.delete(STAGING);
    expect((await tickAll()).flatMap((r) => r.claimed)).toEqual([staging.id]);
  });
});
