import { describe, expect, it } from 'vitest';
import { createWatcherStore } from '../../handlers/deploy/watchers.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { waitFor } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { spawnBotProcess } from './helpers/spawn-bot.js';

// Issue 13, degraded: another replica took over a followed deployment only after 30-60 s.
describe('a replica killed while it follows a deployment', async () => {
  const { world } = await faultWorld({ phaseDelayMs: 2500 });

  it('is replaced by another within 10 s, and the message is followed to its end', async () => {
    const doomed = await spawnBotProcess(world, { replicaId: 'follower' });
    const before = world.slack.messages.length;
    await doomed.driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web staging');
    const message = await waitFor(
      'the deployment message',
      () => world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
      10_000,
    );
    // It follows the deployment: its watch record, with the message, is saved.
    const watchers = createWatcherStore(world.bot.redis);
    await waitFor('the watch record', async () =>
      (await watchers.list()).some((r) => r.message.ts === message.ts),
    );
    await doomed.kill('SIGKILL');
    const killedAt = Date.now();
    const updatesAtKill = message.updates;
    await waitFor('another replica to update the message', () => message.updates > updatesAtKill, 15_000);
    const takeoverMs = Date.now() - killedAt;
    await waitFor('the outcome', () => message.text === 'Deploying web staging: done', 20_000);
    expect(takeoverMs).toBeLessThan(10_000);
    // Its thread: each phase told once across both replicas, and the outcome, exactly once.
    await waitFor('the outcome in the thread', () =>
      world.slack.replies(message).some((r) => r.text === 'Deploying web staging: done, the details'),
    );
    const replies = world.slack.replies(message);
    const told = replies.map((r) => r.text.replace(/^Deploying web staging: /, ''));
    expect(new Set(told).size).toBe(told.length);
    expect(told.at(-1)).toBe('done, the details');
    const order = [
      'started',
      'PENDING_BUILD',
      'BUILDING',
      'PENDING_DEPLOY',
      'DEPLOYING',
      'done, the details',
    ];
    // In order, except a reply the dead replica claimed and never posted: the one that took
    // over posts it when it finds the claim, after later phases, and it says it is late.
    const late = (i: number) => JSON.stringify(replies[i]?.blocks ?? []).includes('_Posted late:');
    const inTime = told.filter((_, i) => !late(i));
    expect(inTime).toEqual(order.filter((t) => inTime.includes(t)));
    for (const [i, t] of told.entries()) {
      if (!late(i)) continue;
      // Late means something after it in the story was told before it.
      expect(told.slice(0, i).some((earlier) => order.indexOf(earlier) > order.indexOf(t))).toBe(true);
    }
    // Who asked is told: in the first reply, or (killed between claim and post) in the outcome.
    // (Killed between Slack taking it and Redis hearing so, both say it: said twice, never lost.)
    const asked = replies.filter((r) => JSON.stringify(r.blocks).includes('Requested by <@U0ALICE>'));
    expect(asked.length).toBeGreaterThanOrEqual(1);
    console.log(`fault: follower killed, another replica took over in ${takeoverMs} ms`);
  }, 60_000);
});
