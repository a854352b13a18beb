import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { testWorld, waitFor } from '../helpers/world.js';

describe('Redis down', async () => {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  const world = await testWorld({ redisUrl: proxy.url });

  it('refuses the action, says why, and sends nothing to DigitalOcean', async () => {
    proxy.cut();
    const from = world.slack.ephemerals.length;
    const res = await world.driver.command(
      SANDBOX_USERS.alice,
      SANDBOX_CHANNELS.dev,
      '/deploy',
      'web staging',
    );
    expect(res.status).toBe(200);
    const answer = await waitFor('refusal', () => world.slack.ephemerals[from]);
    expect(answer.text).toMatch(
      /^The audit log \(Redis\) cannot be written, so nothing was done\. Check that Redis is reachable/,
    );
    expect(world.sim.requests({ method: 'POST' })).toHaveLength(0);
    expect(world.slack.messages).toHaveLength(0);

    const health = await fetch(`http://127.0.0.1:${world.bot.port}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', redis: 'unreachable' });
  });
});
