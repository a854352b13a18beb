import { describe, expect, it } from 'vitest';
import { createDeploymentFollower } from '../../handlers/deploy/follow-deployment.js';
import { createWatcherStore, type WatchRecord } from '../../handlers/deploy/watchers.js';
import type { AuditLog } from '../../src/audit/types.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import { createLogger } from '../../src/logger.js';
import type { MessageRef, SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { testRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/world.js';

const building: Deployment = {
  id: 'dep-1',
  phase: 'BUILDING',
  cause: 'manual',
  createdAt: '2026-11-30T08:00:00Z',
  updatedAt: '2026-11-30T08:00:00Z',
  progress: { successSteps: 1, totalSteps: 4, errorSteps: 0, steps: [] },
  components: [],
};

function setup() {
  const { redis } = testRedis('follow');
  const watchers = createWatcherStore(redis);
  const updates: SlackMessage[] = [];
  const replies: SlackMessage[] = [];
  const slack: SlackPoster = {
    post: async (channel, message, options): Promise<MessageRef> => {
      if (options?.threadTs) replies.push(message);
      return { channel, ts: '1.000001' };
    },
    update: async (_ref, message) => {
      updates.push(message);
    },
    postEphemeral: async () => undefined,
    uploadFile: async () => undefined,
  };
  const audit = { append: async () => ({}) } as unknown as AuditLog;
  const follower = (replicaId: string) =>
    createDeploymentFollower({
      do: { getDeployment: async () => building } as unknown as DoClient,
      watchers,
      slack,
      audit,
      log: createLogger({ level: 'silent' }),
      clock: { now: () => Date.now() },
      probeHealth: async () => ({ ok: true, summary: 'ok' }),
      replicaId,
      pollMs: 10,
      updateIntervalMs: 0,
    });
  return { watchers, updates, replies, follower };
}

// Issue 13, degraded: the one-hour limit restarted at every takeover, so a deployment
// handed from replica to replica was followed for ever.
describe('the follow limit counts from when the work was asked for', () => {
  it('a replica taking over a deployment started 59 min 59 s ago gives up within a second, saying so', async () => {
    const { watchers, updates, replies, follower } = setup();
    const record: WatchRecord = {
      deploymentId: 'dep-1',
      appId: 'app-1',
      app: 'web',
      env: 'staging',
      kind: 'deploy',
      user: 'U0ALICE',
      message: { channel: 'C0DEV', ts: '1.000001' },
      startedAt: new Date(Date.now() - 60 * 60_000 + 500).toISOString(),
    };
    await watchers.save(record);
    const takeover = follower('replica-b');
    await takeover.resume();
    const last = await waitFor(
      'the final message',
      () => updates.find((u) => u.text.endsWith('failed')),
      3000,
    );
    expect(JSON.stringify(last.blocks)).toContain('still BUILDING, no longer followed');
    const told = await waitFor('the final thread reply', () =>
      replies.find((r) => r.text.endsWith('failed, the details')),
    );
    expect(JSON.stringify(told.blocks)).toContain('Still BUILDING after 1 h; dockside stopped following it.');
    await waitFor('the record to go', async () => (await watchers.list()).length === 0);
  });
});
