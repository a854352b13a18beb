import { describe, expect, it } from 'vitest';
import { createThreadReplies } from '../../handlers/deploy/thread-replies.js';
import { createLogger } from '../../src/logger.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { waitFor } from '../helpers/world.js';
import { at, setup, textOf } from './helpers.js';

describe('a followed deployment: one line in the channel, the details in its thread', () => {
  it('edits one line through every phase, and tells each phase once in the thread, then the outcome', async () => {
    const t = setup('thread');
    const a = t.follower('replica-a');
    await a.start(t.record);
    await waitFor('the first edit', () => t.updates.length > 0);
    // Several polls per phase, with the steps moving: each edits the line, none adds a reply.
    for (const d of [
      at('BUILDING', 0, [{ name: 'build', status: 'RUNNING' }]),
      at('BUILDING', 1),
      at('BUILDING', 2),
      at('PENDING_DEPLOY', 2),
      at('DEPLOYING', 3),
      at('DEPLOYING', 4),
    ]) {
      t.move(d);
      const edits = t.updates.length;
      await waitFor(
        `the line to show ${d.phase} ${d.progress.successSteps}/4`,
        () => t.updates.length > edits,
      );
    }
    t.move(at('ACTIVE', 4));
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await a.idle();

    // The channel: no new message, only edits of the one line.
    expect(t.posts.filter((p) => !p.threadTs)).toEqual([]);
    for (const { ref, message } of t.updates) {
      expect(ref).toEqual(t.record.message);
      expect(message.blocks).toHaveLength(1);
      expect(textOf(message)).not.toContain('\n');
    }
    const last = t.updates.at(-1)?.message;
    expect(last?.text).toBe('Deploying web staging: done');
    expect(textOf(last as SlackMessage)).toMatch(
      /^:white_check_mark: \*Deployed web staging\*: live, healthy, /,
    );

    // The thread: what it is (and the phase it was in), each later phase once, in order, then the outcome.
    expect(t.replies('1.000001')).toEqual([
      'Deploying web staging: started',
      'Deploying web staging: BUILDING',
      'Deploying web staging: PENDING_DEPLOY',
      'Deploying web staging: DEPLOYING',
      'Deploying web staging: done, the details',
    ]);
    const thread = t.posts.filter((p) => p.threadTs);
    expect(textOf(thread[0]?.message as SlackMessage)).toContain('Requested by <@U0ALICE>');
    expect(textOf(thread[0]?.message as SlackMessage)).toContain('Builds `main` at 9a4df0b.');
    expect(textOf(thread[0]?.message as SlackMessage)).toMatch(
      /\n:hourglass_flowing_sand: PENDING_BUILD after /,
    );
    expect(textOf(thread[1]?.message as SlackMessage)).toMatch(
      /BUILDING after .*0\/4 steps done; running `build`/,
    );
    const outcome = textOf(thread.at(-1)?.message as SlackMessage);
    expect(outcome).toContain('Health: 200 OK in 12 ms');
    // Nobody is pinged when nothing needs doing.
    expect(outcome).not.toContain('<@U0ALICE>');
  });

  it('sends a failure with nobody to ping to the channel too, and a success or a pinged failure not', async () => {
    const t = setup('broadcast');
    const thread = createThreadReplies({
      watchers: t.watchers,
      slack: t.slack,
      sleep: async () => undefined,
      replicaId: 'replica-a',
      now: Date.now,
    });
    const log = createLogger({ level: 'silent' });
    const broadcasts: boolean[] = [];
    const post = t.slack.post;
    t.slack.post = async (channel, message, options) => {
      broadcasts.push(options?.broadcast === true);
      return post(channel, message, options);
    };
    const pushed = { ...t.record, user: '' };
    const outcome = (ok: boolean) => ({
      message: { text: 'line' },
      reply: { text: 'details' },
      ok,
      summary: '',
    });
    await thread.deliverFinal({ ...pushed, deploymentId: 'a' }, outcome(false), log);
    await thread.deliverFinal({ ...pushed, deploymentId: 'b' }, outcome(true), log);
    await thread.deliverFinal({ ...t.record, deploymentId: 'c' }, outcome(false), log);
    // A line just posted (not edited) is news in the channel already.
    await thread.deliverFinal({ ...pushed, deploymentId: 'd' }, outcome(false), log, { freshLine: true });
    expect(broadcasts).toEqual([true, false, false, false]);
    expect(t.posts.every((p) => p.threadTs === '1.000001')).toBe(true);
  });

  it('tells a notable event once, whoever tells it', async () => {
    const t = setup('note');
    const log = createLogger({ level: 'silent' });
    const [a, b] = [1, 2].map(() =>
      createThreadReplies({
        watchers: t.watchers,
        slack: t.slack,
        sleep: async () => undefined,
        replicaId: 'replica-a',
        now: Date.now,
      }),
    );
    await a?.note(t.record, 'verify', 'Checking the runtime logs for 5 min.', log);
    await b?.note(t.record, 'verify', 'Checking the runtime logs for 5 min.', log);
    expect(t.replies('1.000001')).toEqual(['Deploying web staging: Checking the runtime logs for 5 min.']);
  });

  it('ends no thread where there is no line (an outcome nobody is told about)', async () => {
    const t = setup('no-line');
    const thread = createThreadReplies({
      watchers: t.watchers,
      slack: t.slack,
      sleep: async () => undefined,
      replicaId: 'replica-a',
      now: Date.now,
    });
    const silent = { ...t.record, message: { channel: 'C0OPS', ts: '' } };
    const outcome = { message: { text: 'line' }, reply: { text: 'x, the details' }, ok: false, summary: '' };
    await thread.deliverFinal(silent, outcome, createLogger({ level: 'silent' }));
    expect(t.posts).toEqual([]);
  });
});
