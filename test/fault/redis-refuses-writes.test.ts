import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { testWorld, waitFor } from '../helpers/world.js';
import { recordUnhandledRejections } from './helpers/unhandled-rejections.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

// Issue 13, broken 4: after a failover (READONLY) or with Redis full (OOM), the follower's
// lease call rejected unhandled and killed every replica, while /health (a PING) said 200.
describe('Redis refuses writes (READONLY after a failover, OOM)', async () => {
  const rejections = recordUnhandledRejections();
  const redis = await startRedisServer();
  const world = await testWorld({ redisUrl: redis.url, phaseDelayMs: 400, bot: { recoveryTickMs: 200 } });
  const health = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('keeps serving, says why in /health, and follows the deployment to its end once writes work again', async () => {
    const before = world.slack.messages.length;
    await world.driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor('the deployment message', () =>
      world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
    );
    await redis.readonly();
    expect(await health(world.bot.port)).toMatchObject({
      status: 503,
      body: { status: 'degraded', redis: 'readonly', reason: expect.stringContaining('READONLY') },
    });
    // A new replica starting now (as App Platform would after a crash) must not die either.
    const { bot: another } = await world.spawnBot({ recoveryTickMs: 200 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(rejections).toEqual([]);
    expect((await health(another.port)).body).toMatchObject({ redis: 'readonly' });

    await redis.heal();
    expect((await health(world.bot.port)).status).toBe(200);
    await waitFor('the outcome', () => message.text === 'Deploying web staging: done', 15_000);
    expect(rejections).toEqual([]);
  });

  it('says OOM in /health when Redis is full', async () => {
    await redis.full();
    expect(await health(world.bot.port)).toMatchObject({
      status: 503,
      body: { redis: 'oom', reason: expect.stringContaining('OOM') },
    });
    await redis.heal();
    expect((await health(world.bot.port)).status).toBe(200);
    expect(rejections).toEqual([]);
  });
});
