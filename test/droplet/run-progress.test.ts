import { describe, expect, it } from 'vitest';
import { createProgress } from '../../handlers/droplet/run-progress.js';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import type { MessageRef, SlackMessage } from '../../src/slack/reply.js';

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

function slackSpy(failPost = false) {
  const posts: SlackMessage[] = [];
  const updates: SlackMessage[] = [];
  return {
    posts,
    updates,
    post: async (m: SlackMessage): Promise<MessageRef> => {
      if (failPost) throw new Error('ratelimited');
      posts.push(m);
      return { channel: 'C1', ts: '1.0' };
    },
    update: async (_ref: MessageRef, m: SlackMessage) => {
      updates.push(m);
    },
  };
}

describe('the progress message of a Droplet rollout', () => {
  it('is posted at the first event and updated at most once per interval, the last state winning', async () => {
    const slack = slackSpy();
    const progress = createProgress({ clock: systemClock, log, intervalMs: 200, ...slack }, view);
    for (let i = 0; i < 50; i++) progress.event({ step: i % 2 ? 'pull' : 'up', host: `10.0.0.${i % 3}` });
    await new Promise((r) => setTimeout(r, 50));
    expect(slack.posts).toHaveLength(1);
    expect(slack.updates).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    // One trailing update for all 49 events that came within the interval.
    expect(slack.updates).toHaveLength(1);
    const ref = await progress.finish({
      result: {
        ok: true,
        release: { id: 'r1', services: [] },
        updated: ['10.0.0.0'],
        restored: [],
        notRestored: [],
      },
    });
    expect(ref).toEqual({ channel: 'C1', ts: '1.0' });
    expect(slack.updates).toHaveLength(2);
    expect(slack.updates.at(-1)?.text).toBe('Deploying api staging: done');
  });

  it('never throws when Slack refuses: the rollout goes on, and the end is tried again', async () => {
    const slack = slackSpy(true);
    const progress = createProgress({ clock: systemClock, log, intervalMs: 10, ...slack }, view);
    progress.event({ step: 'pull', host: 'h' });
    await expect(progress.finish({ error: 'stopped' })).resolves.toBeUndefined();
  });
});
