import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { testWorld, waitFor } from '../helpers/world.js';
import { recordUnhandledRejections } from './helpers/unhandled-rejections.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

describe("dockside's Redis killed while a deployment is followed", async () => {
  const rejections = recordUnhandledRejections();
  const redis = await startRedisServer();
  const world = await testWorld({ redisUrl: redis.url, phaseDelayMs: 300, bot: { recoveryTickMs: 200 } });
  const creates = () =>
    world.sim
      .requests({ method: 'POST', route: '/v2/apps/:id/deployments' })
      .filter((r) => r.path.includes(DEMO_IDS.apps.webStaging)).length;

  for (const restart of ['with the same data', 'empty'] as const) {
    it(`and restarted ${restart}: the deployment is followed to its end, once`, async () => {
      const before = world.slack.messages.length;
      const sent = creates();
      await world.driver.command(alice, dev, '/deploy', 'web staging');
      const message = await waitFor('the deployment message', () =>
        world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
      );
      await redis.kill();
      await new Promise((r) => setTimeout(r, 1000));
      if (restart === 'empty') await redis.restartEmpty();
      else await redis.start();
      await waitFor('the outcome', () => message.text === 'Deploying web staging: done', 15_000);
      expect(creates()).toBe(sent + 1);
      expect(
        world.slack.messages
          .slice(before)
          .filter((m) => !m.thread_ts && m.text.startsWith('Deploying web staging')),
      ).toHaveLength(1);
      // Its thread tells nothing twice, even when Redis forgot what was told.
      await waitFor('the outcome in the thread', () =>
        world.slack.replies(message).some((r) => r.text.endsWith('done, the details')),
      );
      const told = world.slack.replies(message).map((r) => r.text);
      expect(new Set(told).size).toBe(told.length);
      expect(rejections).toEqual([]);
    });
  }
});
