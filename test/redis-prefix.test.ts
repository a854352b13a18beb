import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from './helpers/approvals.js';
import { startRedisServer } from './helpers/redis-server.js';
import { testWorld, waitFor } from './helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

/**
 * Every key, not just some: the bot runs against a Redis of its own, does everything
 * that writes to Redis (commands, approvals, deployment watchers, locks, audit,
 * de-duplication, a scheduled tick), and then every key in that Redis must carry the prefix.
 */
describe('REDIS_KEY_PREFIX', async () => {
  const redis = await startRedisServer();
  const prefix = `install-${randomBytes(3).toString('hex')}:`;
  const world = await testWorld({
    redisUrl: redis.url,
    redisKeyPrefix: prefix,
    bot: { schedules: true },
  });

  it('keeps every key of this install under the prefix, so two installs can share one Redis', async () => {
    const { driver, slack } = world;
    await driver.command(alice, dev, '/deploy', 'web staging');
    await waitFor(
      'the staging deploy',
      () => slack.messages.some((m) => m.text === 'Deploying web staging: done'),
      8000,
    );
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    await click(driver, bob, approval, 'Approve');
    await waitFor(
      'the approval to run',
      () => approval.text === 'Approval succeeded: Deploy web production',
      8000,
    );
    await driver.command(alice, dev, '/lock', 'erp staging --for 1h prefix test');
    await waitFor('the lock', async () => (await world.bot.locks.get('erp', 'staging')) !== null);
    expect(
      await world.bot.scheduler.runTick('health:poll', new Date(Math.floor(Date.now() / 60_000) * 60_000)),
    ).toBe('ran');

    const keys = await redis.keys();
    expect(keys.filter((k) => !k.startsWith(prefix))).toEqual([]);
    // What was written, by family: nothing important slipped out of the check by not being written.
    const families = new Set(keys.map((k) => k.slice(prefix.length).split(':')[0]));
    for (const family of ['approval', 'audit', 'dedupe', 'health', 'lock', 'scheduler']) {
      expect(families).toContain(family);
    }
    expect(keys.length).toBeGreaterThan(10);
  });
});
