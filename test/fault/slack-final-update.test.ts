import { describe, expect, it } from 'vitest';
import { createWatcherStore } from '../../handlers/deploy/watchers.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { waitFor } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { type ProxiedRequest, slackMethod } from './helpers/http-fault-proxy.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const form = (req: ProxiedRequest) => decodeURIComponent(req.body.replace(/\+/g, ' '));
const finalUpdate = (req: ProxiedRequest) =>
  slackMethod(req) === 'chat.update' && form(req).includes('Deploying web staging: done');

// Issue 13, broken 3: a final chat.update answered 429/ratelimited/500 was given up and the
// watch record deleted anyway, leaving the message at an intermediate phase for good.
describe('Slack refuses the final update of a deployment message', async () => {
  const { world, slackProxy } = await faultWorld({ bot: { finalRetryMs: 6000 } });
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
    await waitFor('the watch record to go', async () => (await watchers.list()).length === 0);
    stop();
  });
});
