import { describe, expect, it } from 'vitest';
import { createWatcherStore } from '../../handlers/deploy/watchers.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import type { FakeMessage, FakeSlack } from '../../src/sandbox/fake-slack.js';
import { waitFor } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { type ProxiedRequest, slackMethod } from './helpers/http-fault-proxy.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const form = (req: ProxiedRequest) => decodeURIComponent(req.body.replace(/\+/g, ' '));
const finalUpdate = (req: ProxiedRequest) =>
  slackMethod(req) === 'chat.update' && form(req).includes('Deploying web staging: done');
const finalReply = (req: ProxiedRequest) =>
  slackMethod(req) === 'chat.postMessage' && form(req).includes('Deploying web staging: done, the details');
const details = (world: { slack: FakeSlack }, line: FakeMessage) =>
  world.slack.replies(line).filter((r) => r.text === 'Deploying web staging: done, the details');

// Issue 13, broken 3: a final chat.update answered 429/ratelimited/500 was given up and the
// watch record deleted anyway, leaving the message at an intermediate phase for good.
describe('Slack refuses the final update of a deployment message', async () => {
  // Phases slower than the follower's polls: each phase is seen, so the line can be deleted
  // while the deployment is still under way (at 20 ms a loaded machine saw it end first).
  const { world, slackProxy } = await faultWorld({ phaseDelayMs: 150, bot: { finalRetryMs: 6000 } });
  const watchers = createWatcherStore(world.bot.redis);

  it('retries after Retry-After through 500, ratelimited and 429 until the outcome is shown', async () => {
    const before = world.slack.messages.length;
    const faults = [
      slackProxy.times(1, finalUpdate, { status: 500, body: 'upstream error' }),
      slackProxy.times(1, finalUpdate, { status: 200, body: '{"ok":false,"error":"ratelimited"}' }),
      slackProxy.times(2, finalUpdate, { status: 429, headers: { 'retry-after': '1' }, body: '' }),
    ];
    await world.driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor('the deployment message', () =>
      world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
    );
    await waitFor('the outcome', () => message.text === 'Deploying web staging: done', 15_000);
    expect(slackProxy.seen.filter(finalUpdate)).toHaveLength(5);
    await waitFor('the watch record to go', async () => (await watchers.list()).length === 0);
    for (const f of faults) f();
  });

  it('retries the outcome reply in the thread through 500 and 429, and posts it once', async () => {
    const before = world.slack.messages.length;
    const tried = slackProxy.seen.filter(finalReply).length;
    const faults = [
      slackProxy.times(1, finalReply, { status: 500, body: 'upstream error' }),
      slackProxy.times(1, finalReply, { status: 429, headers: { 'retry-after': '1' }, body: '' }),
    ];
    try {
      await world.driver.command(alice, dev, '/deploy', 'web staging');
      const message = await waitFor('the deployment message', () =>
        world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
      );
      // The line comes before the create and the watch record after it: "no record" alone
      // is also true before the deployment is followed (a loaded CI machine got there first).
      await waitFor('the details in the thread', () => details(world, message).length > 0, 15_000);
      await waitFor('the watch record to go', async () => (await watchers.list()).length === 0);
      expect(slackProxy.seen.filter(finalReply)).toHaveLength(tried + 3);
      expect(details(world, message)).toHaveLength(1);
    } finally {
      // A failure here must not leave its faults on the next test's replies.
      for (const f of faults) f();
    }
  });

  it('when the line was deleted, posts the outcome anew and the details in its thread', async () => {
    const before = world.slack.messages.length;
    await world.driver.command(alice, dev, '/deploy', 'web staging');
    const first = await waitFor('the deployment message', () =>
      world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
    );
    await waitFor('a phase in its thread', () => world.slack.replies(first).length > 1);
    expect(first.text).not.toBe('Deploying web staging: done');
    world.slack.deleteMessage(first.channel, first.ts);
    const again = await waitFor(
      'the outcome as a new message',
      () =>
        world.slack.messages
          .slice(before)
          .find((m) => !m.thread_ts && m !== first && m.text === 'Deploying web staging: done'),
      15_000,
    );
    await waitFor('the watch record to go', async () => (await watchers.list()).length === 0);
    expect(details(world, again)).toHaveLength(1);
    expect(world.slack.refusals).toContainEqual({ method: 'chat.update', error: 'message_not_found' });
  });

  it('after the bound, posts the outcome as a new message, and only then forgets the deployment', async () => {
    const before = world.slack.messages.length;
    const stop = slackProxy.rule((req) => (finalUpdate(req) ? { status: 503, body: '' } : undefined));
    await world.driver.command(alice, dev, '/deploy', 'web staging');
    const progress = await waitFor('the deployment message', () =>
      world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
    );
    const outcome = await waitFor(
      'the outcome as a new message',
      () =>
        world.slack.messages
          .slice(before)
          .find((m) => m !== progress && m.text === 'Deploying web staging: done'),
      15_000,
    );
    expect(outcome.channel).toBe(progress.channel);
    expect(progress.text).not.toBe('Deploying web staging: done');
    // The details follow the outcome into the new message's thread.
    await waitFor('the details under the new message', () => details(world, outcome).length === 1);
    await waitFor('the watch record to go', async () => (await watchers.list()).length === 0);
    stop();
  });
});
