import { describe, expect, it } from 'vitest';
import { createWatcherStore } from '../../handlers/deploy/watchers.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import { waitFor } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { type ProxiedRequest, slackMethod } from './helpers/http-fault-proxy.js';
import { spawnBotProcess } from './helpers/spawn-bot.js';

const TITLE = 'Deploying web staging';

/** The reply key a thread reply is marked with (its message metadata), or ''. */
function replyKey(req: ProxiedRequest): string {
  if (slackMethod(req) !== 'chat.postMessage') return '';
  const raw = new URLSearchParams(req.body).get('metadata');
  if (!raw) return '';
  try {
    return String((JSON.parse(raw) as { event_payload?: { reply?: string } }).event_payload?.reply ?? '');
  } catch {
    return '';
  }
}

const told = (replies: FakeMessage[]) => replies.map((r) => r.text.replace(`${TITLE}: `, ''));

// The follower's crash windows with the production timings (a 5 s lease, the 2 s resume
// tick, a 15 s reply lease, a 5 s liveness mark): a process killed in the middle of a thread reply.
describe('a replica killed in the middle of a thread reply', async () => {
  const { world, slackProxy } = await faultWorld({ phaseDelayMs: 2500 });
  const watchers = createWatcherStore(world.bot.redis);
  const slackApiUrl = `${slackProxy.urlFor(world.slack.url)}/api/`;

  it('before Slack had a phase reply: the replica that takes over posts it once, without waiting out the reply lease of a dead replica', async () => {
    const doomed = await spawnBotProcess(world, { replicaId: 'claimer', slackApiUrl });
    let killedAt = 0;
    const stop = slackProxy.rule((req) => {
      if (killedAt > 0 || replyKey(req) !== 'phase:BUILDING') return undefined;
      killedAt = Date.now();
      void doomed.kill('SIGKILL');
      return { hang: true };
    });
    const from = world.slack.messages.length;
    await doomed.driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web staging');
    const line = await waitFor(
      'the deployment line',
      () => world.slack.messages.slice(from).find((m) => !m.thread_ts && m.text.startsWith(TITLE)),
      10_000,
    );
    await waitFor('the replica to die posting BUILDING', () => killedAt > 0, 15_000);
    const building = await waitFor(
      'the BUILDING reply',
      () => world.slack.replies(line).find((r) => r.text === `${TITLE}: BUILDING`),
      30_000,
    );
    const postedMs = Date.now() - killedAt;
    await waitFor(
      'the outcome in the thread',
      () => told(world.slack.replies(line)).includes('done, the details'),
      30_000,
    );
    stop();
    const thread = told(world.slack.replies(line));
    expect(new Set(thread).size).toBe(thread.length);
    expect(thread.at(-1)).toBe('done, the details');
    expect(building.metadata?.event_payload).toMatchObject({ reply: 'phase:BUILDING' });
    // The killed replica's liveness mark lapsed: its claim is posted on the takeover (lease
    // and resume tick), not after the 15 s reply lease.
    expect(postedMs).toBeLessThan(15_000);
    console.log(
      `crash window 1 (process): phase reply posted by the next replica ${postedMs} ms after the kill; thread: ${thread.join(' | ')}`,
    );
  }, 90_000);

  it('after Slack took the outcome, before Redis heard: the replica that takes over finds it and tells it once', async () => {
    const doomed = await spawnBotProcess(world, { replicaId: 'teller', slackApiUrl });
    let killedAt = 0;
    const stop = slackProxy.times(1, (req) => replyKey(req) === 'outcome', {
      forward: true,
      after: async () => {
        killedAt = Date.now();
        await doomed.kill('SIGKILL');
      },
    });
    const from = world.slack.messages.length;
    await doomed.driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web staging');
    const line = await waitFor(
      'the deployment line',
      () => world.slack.messages.slice(from).find((m) => !m.thread_ts && m.text.startsWith(TITLE)),
      10_000,
    );
    await waitFor('the replica to die after posting the outcome', () => killedAt > 0, 30_000);
    await waitFor(
      'the record to go',
      async () => !(await watchers.list()).some((r) => r.message.ts === line.ts),
      20_000,
    );
    const settledMs = Date.now() - killedAt;
    stop();
    expect(line.text).toBe(`${TITLE}: done`);
    const thread = told(world.slack.replies(line));
    expect(thread.filter((t) => t === 'done, the details')).toHaveLength(1);
    expect(new Set(thread).size).toBe(thread.length);
    console.log(
      `crash window 2 (process): outcome found in the thread, record settled ${settledMs} ms after the kill`,
    );
  }, 90_000);
});
