import { describe, expect, it } from 'vitest';
import { createHealthService } from '../../handlers/health/service.js';
import type { Lock, LockStore } from '../../src/locks/types.js';
import { renderHealthReport } from '../../src/render/health.js';
import { FakeClock, makeConfig } from '../backup/helpers.js';
import { testRedis } from '../helpers/redis.js';
import { deployment, fakeAppsDo, startHealthServer } from './helpers.js';

const NOW = Date.parse('2026-11-05T09:00:00Z');

function lockStore(locks: Lock[]): LockStore {
  return {
    get: async () => null,
    list: async () => locks,
    lock: async () => undefined,
    unlock: async () => null,
  };
}

describe('health report of every env', async () => {
  const { redis } = testRedis('health');
  const server = await startHealthServer({
    web: { body: { status: 'ok', database: 'connected' } },
    api: { status: 503, body: { status: 'error', database: 'disconnected' } },
    hang: { hang: true },
  });

  it('combines DO deployment and component health with the health URL, databases, Redis and locks', async () => {
    const config = makeConfig({
      apps: {
        web: {
          environments: {
            staging: { app_id: 'app-web-stg', health_url: server.url('web') },
            production: { app_id: 'app-web-prod', health_url: server.url('api') },
          },
        },
        worker: { environments: { production: { app_id: 'app-worker' } } },
      },
      databases: {
        main: { engine: 'postgres', url: 'postgres://u:hunter22secret@db.example.com/main' },
        erp: { engine: 'mysql', url: 'mysql://u@127.0.0.1/erp' },
      },
    });
    const doClient = fakeAppsDo(
      {
        'app-web-stg': { activeDeployment: deployment('d1', 'ACTIVE', '2026-11-05T07:00:00Z') },
        'app-web-prod': {
          activeDeployment: deployment('d2', 'ACTIVE', '2026-11-01T09:00:00Z'),
          pinnedDeployment: deployment('d0', 'ACTIVE', '2026-10-30T09:00:00Z'),
        },
        'app-worker': { activeDeployment: deployment('d3', 'ERROR', '2026-11-05T08:00:00Z') },
      },
      {
        'app-web-stg': [{ name: 'web', state: 'HEALTHY', replicasDesired: 2, replicasReady: 2 }],
        'app-worker': [{ name: 'worker', state: 'UNHEALTHY', replicasDesired: 1, replicasReady: 0 }],
      },
    );
    const locks: Lock[] = [
      { app: 'web', env: 'production', by: 'U0ALICE', reason: 'incident 42', since: '2026-11-05T08:00:00Z' },
    ];
    const health = createHealthService({
      config,
      do: doClient,
      redis,
      locks: lockStore(locks),
      pingDatabase: async (name) => {
        if (name === 'main')
          throw new Error('connect ETIMEDOUT postgres://u:hunter22secret@db.example.com/main');
      },
      clock: new FakeClock(NOW),
    });
    const report = await health.report();
    const byName = Object.fromEntries(report.envs.map((e) => [`${e.app}/${e.env}`, e]));
    expect(byName['web/staging']).toMatchObject({
      state: 'good',
      deployment: { phase: 'ACTIVE', ageMs: 2 * 3_600_000 },
    });
    expect(byName['web/production']?.state).toBe('bad');
    expect(byName['web/production']?.pinnedDeploymentId).toBe('d0');
    expect(byName['worker/production']?.checks.map((c) => `${c.name}:${c.state}:${c.detail}`)).toEqual([
      'deploy:bad:ERROR 1h',
      'components:bad:0/1 ready (worker)',
    ]);
    expect(report.databases.map((d) => `${d.name}:${d.state}`)).toEqual(['main:bad', 'erp:good']);
    expect(report.databases[0]?.error).not.toContain('hunter22secret');
    expect(report.redis.state).toBe('good');

    const text = renderHealthReport(report, NOW).text;
    expect(text).toContain('2 of 3 envs unhealthy');
    expect(text).toMatch(
      /❌ web\/production +deploy ACTIVE 4d · components no data · http 503 \d+ms status error database disconnected ✗ · pinned by rollback/,
    );
    expect(text).toContain('❌ worker/production  deploy ERROR 1h ✗ · components 0/1 ready (worker) ✗');
    expect(text).toMatch(/✅ web\/staging/);
    expect(text).toContain(':lock: web/production locked by <@U0ALICE> 1h 0m ago: incident 42');
    expect(text).not.toContain('hunter22secret');
  });

  it('marks an env unknown, not unhealthy, when only the DO API failed', async () => {
    const config = makeConfig({ apps: { web: { environments: { staging: { app_id: 'missing' } } } } });
    const health = createHealthService({
      config,
      do: fakeAppsDo({}),
      redis,
      locks: lockStore([]),
      pingDatabase: async () => undefined,
      clock: new FakeClock(NOW),
    });
    const [env] = await health.checkEnvs();
    expect(env?.state).toBe('unknown');
  });

  it('checks many envs in parallel: 60 hanging URLs take about one timeout, never more than the bound at once', async () => {
    const environments = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`e${i}`, { app_id: `a${i}`, health_url: server.url('hang') }]),
    );
    const counter = { now: 0, max: 0 };
    // Counted on the client: the server sees aborted sockets close a little later.
    const countingFetch: typeof fetch = async (input, init) => {
      counter.now += 1;
      counter.max = Math.max(counter.max, counter.now);
      try {
        return await fetch(input, init);
      } finally {
        counter.now -= 1;
      }
    };
    const run = async (concurrency: number) => {
      counter.max = 0;
      const config = makeConfig({
        apps: { big: { environments } },
        health: { timeout_ms: 800, concurrency },
      });
      const health = createHealthService({
        config,
        do: fakeAppsDo({}),
        redis,
        locks: lockStore([]),
        pingDatabase: async () => undefined,
        clock: new FakeClock(NOW),
        fetch: countingFetch,
      });
      const started = Date.now();
      const envs = await health.checkEnvs({ includeDo: false });
      return { ms: Date.now() - started, envs, maxInFlight: counter.max };
    };
    const wide = await run(60);
    expect(wide.envs.every((e) => e.state === 'bad')).toBe(true);
    expect(wide.ms).toBeLessThan(800 * 1.5);
    const narrow = await run(20);
    expect(wide.maxInFlight).toBe(60);
    expect(narrow.maxInFlight).toBe(20);
    expect(narrow.ms).toBeGreaterThanOrEqual(3 * 800 - 50);
  });
});
