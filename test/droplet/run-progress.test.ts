import { describe, expect, it } from 'vitest';
import { createProgress } from '../../handlers/droplet/run-progress.js';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import type { MessageRef, PostOptions, SlackMessage } from '../../src/slack/reply.js';

const log = createLogger({ level: 'silent' });
const view = {
  kind: 'deploy' as const,
  app: 'api',
  env: 'staging',
  user: 'U0ALICE',
  releaseId: 'r1',
  changes: [],
  startedAt: Date.now(),
};
const LINE = { channel: 'C1', ts: '1.0' };
const body = (m: SlackMessage) => JSON.stringify(m.blocks);

function slackSpy(failPost = false) {
  const posts: SlackMessage[] = [];
  const updates: SlackMessage[] = [];
  const replies: Array<SlackMessage & { options?: PostOptions }> = [];
  return {
    posts,
    updates,
    replies,
    post: async (m: SlackMessage): Promise<MessageRef> => {
      if (failPost) throw new Error('ratelimited');
      posts.push(m);
      return LINE;
    },
    slack: {
      post: async (channel: string, m: SlackMessage, options?: PostOptions): Promise<MessageRef> => {
        if (failPost) throw new Error('ratelimited');
        replies.push({ ...m, ...(options ? { options } : {}) });
        return { channel, ts: `2.${replies.length}` };
      },
      update: async (_ref: MessageRef, m: SlackMessage) => {
        updates.push(m);
      },
    },
  };
}

describe('the line and thread of a Droplet rollout', () => {
  it('posts the line at the first event, then sends at most once per interval: the line edited, the steps in one reply', async () => {
    const slack = slackSpy();
    const progress = createProgress({ clock: systemClock, log, intervalMs: 200, ...slack }, view);
    for (let i = 0; i < 50; i++) progress.event({ step: i % 2 ? 'pull' : 'up', host: `10.0.0.${i % 3}` });
    await new Promise((r) => setTimeout(r, 50));
    expect(slack.posts).toHaveLength(1);
    expect(slack.updates).toHaveLength(0);
    // The first reply says who asked; the next one that each host got under way (their later
    // steps are polls of the same work, and the events came within one interval).
    expect(slack.replies.map((r) => r.text)).toEqual([
      'Deploying api staging: started',
      'Deploying api staging: host progress',
    ]);
    expect(slack.replies[0]?.options).toEqual({ threadTs: '1.0' });
    for (const [host, step] of [
      ['10.0.0.0', 'starting containers'],
      ['10.0.0.1', 'pulling images'],
      ['10.0.0.2', 'starting containers'],
    ])
      expect(body(slack.replies[1]!)).toContain(`\`${host}\` ${step}`);
    await new Promise((r) => setTimeout(r, 300));
    // One trailing update for all 49 events that came within the interval; no reply for them.
    expect(slack.updates).toHaveLength(1);
    expect(slack.replies).toHaveLength(2);
    progress.event({ step: 'host_done', host: '10.0.0.0' });
    const ref = await progress.finish({
      result: {
        ok: true,
        release: { id: 'r1', services: [] },
        updated: ['10.0.0.0'],
        restored: [],
        notRestored: [],
      },
    });
    expect(ref).toEqual(LINE);
    expect(slack.posts).toHaveLength(1);
    expect(slack.updates.at(-1)?.text).toBe('Deploying api staging: done');
    expect(body(slack.updates.at(-1)!)).toMatch(
      /:white_check_mark: \*Deployed api staging\* \(Droplets\): 1 host on `r1`, \d+ ms/,
    );
    expect(slack.replies.map((r) => r.text).slice(2)).toEqual([
      'Deploying api staging: host progress',
      'Deploying api staging: done, the details',
    ]);
    expect(body(slack.replies[2]!)).toContain(':white_check_mark: `10.0.0.0` done');
    expect(slack.replies.every((r) => r.options?.threadTs === '1.0')).toBe(true);
  });

  it('never throws when Slack refuses: the rollout goes on, and the end is tried again', async () => {
    const slack = slackSpy(true);
    const progress = createProgress({ clock: systemClock, log, intervalMs: 10, ...slack }, view);
    progress.event({ step: 'pull', host: 'h' });
    await expect(progress.finish({ error: 'stopped' })).resolves.toBeUndefined();
  });

  it('tells the first reply later when Slack did not take it at first', async () => {
    const slack = slackSpy();
    let refuse = true;
    const post = slack.slack.post;
    slack.slack.post = async (channel, m, options) => {
      if (refuse) throw new Error('socket hang up');
      return post(channel, m, options);
    };
    const progress = createProgress({ clock: systemClock, log, intervalMs: 10, ...slack }, view);
    await progress.start();
    refuse = false;
    await progress.finish({ error: 'A rollout of api staging is already running (r0).' });
    expect(slack.replies.map((r) => r.text)).toEqual([
      'Deploying api staging: started',
      'Deploying api staging: failed, the details',
    ]);
    expect(body(slack.replies[1]!)).toContain('<@U0ALICE> A rollout of api staging is already running (r0).');
  });

  it('a thread that never got its first reply gets what it said with the outcome', async () => {
    const slack = slackSpy();
    const post = slack.slack.post;
    slack.slack.post = async (channel, m, options) => {
      if (m.text.endsWith(': started')) throw new Error('socket hang up');
      return post(channel, m, options);
    };
    const progress = createProgress({ clock: systemClock, log, intervalMs: 10, ...slack }, view);
    await progress.start();
    await progress.finish({ error: 'A rollout of api staging is already running (r0).' });
    expect(slack.replies).toHaveLength(1);
    const final = slack.replies[0]!;
    expect(final.text).toBe('Deploying api staging: failed, the details');
    expect(body(final)).toContain('Requested by <@U0ALICE>');
    expect(body(final)).toContain('<@U0ALICE> A rollout of api staging is already running (r0).');
  });
});
