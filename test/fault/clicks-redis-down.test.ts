import { describe, expect, it } from 'vitest';
import { REDIS_DOWN_ANSWER } from '../../approvals/slack.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;

// Issue 13, degraded: an Approve click while Redis was down got no answer at all.
describe('clicks while Redis is down', async () => {
  const redis = await startRedisServer();
  const world = await testWorld({ redisUrl: redis.url });

  it('Approve, Reject and Cancel each hear that nothing was done, and nothing reaches DigitalOcean', async () => {
    const { slack, driver, sim } = world;
    const before = approvalMessages(slack).length;
    const asked = await driver.command(alice, SANDBOX_CHANNELS.dev, '/deploy', 'web production');
    const card = await newApproval(slack, before);
    expect((await answerTo(world, asked)).text).toMatch(/^Asked for approval/);
    await redis.kill();
    for (const [user, button] of [
      [bob, 'Approve'],
      [bob, 'Reject'],
      [alice, 'Cancel'],
    ] as const) {
      const from = slack.ephemerals.length;
      await click(driver, user, card, button);
      const heard = await waitFor(`an answer to ${button}`, () =>
        slack.ephemerals.slice(from).find((e) => e.user === user),
      );
      expect(heard.text).toBe(REDIS_DOWN_ANSWER);
    }
    expect(card.text.startsWith('Approval needed')).toBe(true);
    expect(sim.requests({ method: 'POST' })).toHaveLength(0);

    // Redis back with its data: the request is still pending and can be approved.
    await redis.start();
    await waitFor(
      'Redis to be back',
      async () => (await fetch(`http://127.0.0.1:${world.bot.port}/health`)).status === 200,
      10_000,
    );
    await click(driver, bob, card, 'Approve');
    await waitFor(
      'the deployment to run',
      () => card.text === 'Approval succeeded: Deploy web production',
      15_000,
    );
  });
});
