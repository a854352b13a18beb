import { describe, expect, it } from 'vitest';
import { processPoll } from '../../handlers/health/alerts.js';
import { createHealthService } from '../../handlers/health/service.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { FakeClock, makeConfig, silentLog } from '../backup/helpers.js';
import { testRedis } from '../helpers/redis.js';
import { fakeAppsDo, startHealthServer } from './helpers.js';

const OK = { body: { status: 'ok' } };
const DOWN = { status: 503, body: { status: 'error' } };

describe('change alerts from the background poll', async () => {
  const { redis } = testRedis('alerts');
  const server = await startHealthServer({ web: OK, flappy: OK, slow: OK });
  const config = makeConfig({
    apps: {
      web: { environments: { production: { app_id: 'a1', health_url: server.url('web') } } },
      chat: { environments: { production: { app_id: 'a2', health_url: server.url('flappy') } } },
      erp: { environments: { production: { app_id: 'a3', health_url: server.url('slow') } } },
    },
    health: { timeout_ms: 300, failure_threshold: 3 },
  });
  const clock = new FakeClock(Date.parse('2026-11-05T09:00:00Z'));
  const posts: SlackMessage[] = [];
  // DO is never asked during the poll: every env here has a health_url.
  const health = createHealthService({
    config,
    do: fakeAppsDo({}),
    redis,
    locks: {
      get: async () => null,
      list: async () => [],
      lock: async () => undefined,
      unlock: async () => null,
    },
    pingDatabase: async () => undefined,
    clock,
  });
  const poll = async () => {
    clock.advance(60_000);
    const before = posts.length;
    await processPoll(
      { redis, clock, log: silentLog, threshold: 3, post: async (m) => posts.push(m) },
      await health.checkEnvs({ includeDo: false }),
    );
    return posts.slice(before).map((m) => m.text);
  };

  it('alerts once after 3 failures in a row, stays quiet while down, and announces recovery once', async () => {
    server.routes.web = DOWN;
    expect(await poll()).toEqual([]);
    expect(await poll()).toEqual([]);
    expect(await poll()).toEqual([
      expect.stringMatching(
        /^:red_circle: \*web\/production is unhealthy\* \(3 failed checks in a row\): http 503 \d+ms status error$/,
      ),
    ]);
    expect(await poll()).toEqual([]);
    expect(await poll()).toEqual([]);
    server.routes.web = OK;
    expect(await poll()).toEqual([':large_green_circle: *web/production recovered* after 3m 0s unhealthy.']);
    expect(await poll()).toEqual([]);
  });

  it('never alerts on a flapping URL that fails fewer than 3 times in a row', async () => {
    const pattern = [DOWN, OK, DOWN, DOWN, OK, DOWN, OK, DOWN, DOWN, OK];
    const seen: string[] = [];
    for (const b of pattern) {
      server.routes.flappy = b;
      seen.push(...(await poll()));
    }
    expect(seen.filter((t) => t.includes('chat/'))).toEqual([]);
  });

  it('counts a health URL that times out as a failure', async () => {
    server.routes.slow = { hang: true };
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(...(await poll()));
    expect(seen).toEqual([
      expect.stringMatching(/^:red_circle: \*erp\/production is unhealthy\*.*http timeout 300ms$/),
    ]);
    server.routes.slow = OK;
    expect(await poll()).toEqual([expect.stringContaining('erp/production recovered')]);
  });
});
