/** A follower against real Redis, a scripted DigitalOcean and a Slack that records every post and edit. */
import { createDeploymentFollower } from '../../handlers/deploy/follow-deployment.js';
import { createWatcherStore, type WatchRecord } from '../../handlers/deploy/watchers.js';
import type { AuditLog } from '../../src/audit/types.js';
import type { Deployment, DeploymentPhase, DoClient } from '../../src/do/port.js';
import { createLogger } from '../../src/logger.js';
import type { MessageRef, SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { testRedis } from '../helpers/redis.js';

export const at = (
  phase: DeploymentPhase,
  done: number,
  steps: Deployment['progress']['steps'] = [],
): Deployment => ({
  id: 'dep-1',
  phase,
  cause: 'manual',
  createdAt: '2026-11-30T08:00:00Z',
  updatedAt: '2026-11-30T08:00:00Z',
  progress: { successSteps: done, totalSteps: 4, errorSteps: 0, steps },
  components: [],
});

interface Posted {
  channel: string;
  ts: string;
  message: SlackMessage;
  threadTs?: string;
}

/**
 * Where a replica dies in a post, for the crash tests: `before` Slack has it (the claim is
 * made, the post never arrives) or `after` Slack took it (Redis never hears). The post then
 * never returns, as a killed process never goes on; its lease lapses like a dead one's.
 */
export type Crash = { at: 'before' | 'after'; when: (message: SlackMessage) => boolean };

/** Slack as the follower sees it: every post, reply and edit, in order; threads read back with their metadata. */
export function recordingSlack() {
  const posts: Posted[] = [];
  const updates: Array<{ ref: MessageRef; message: SlackMessage }> = [];
  let seq = 0;
  const crashes: Crash[] = [];
  /** When the last crash happened (Date.now()), to measure a takeover from. */
  const crashed: { at?: number } = {};
  const die = () => {
    crashed.at = Date.now();
    return new Promise<never>(() => undefined);
  };
  const slack: SlackPoster = {
    post: async (channel, message, options) => {
      const i = crashes.findIndex((c) => c.when(message));
      const crash = i >= 0 ? crashes.splice(i, 1)[0] : undefined;
      if (crash?.at === 'before') return die();
      const ts = `2.${String(++seq).padStart(6, '0')}`;
      posts.push({ channel, ts, message, ...(options?.threadTs ? { threadTs: options.threadTs } : {}) });
      if (crash?.at === 'after') return die();
      return { channel, ts };
    },
    threadReplies: async (parent) =>
      posts
        .filter((p) => p.channel === parent.channel && p.threadTs === parent.ts)
        .map((p) => ({
          ts: p.ts,
          text: p.message.text,
          ...(p.message.metadata ? { metadata: p.message.metadata } : {}),
        })),
    update: async (ref, message) => {
      updates.push({ ref, message });
    },
    postEphemeral: async () => undefined,
    uploadFile: async () => undefined,
  };
  const replies = (ts: string) => posts.filter((p) => p.threadTs === ts).map((p) => p.message.text);
  return { slack, posts, updates, replies, crashes, crashed };
}

export function setup(label: string, options: { replyLeaseMs?: number } = {}) {
  const { redis } = testRedis(label);
  const watchers = createWatcherStore(redis);
  const recorded = recordingSlack();
  let current = at('PENDING_BUILD', 0);
  const follower = (replicaId: string) =>
    createDeploymentFollower({
      do: { getDeployment: async () => current } as unknown as DoClient,
      watchers,
      slack: recorded.slack,
      audit: { append: async () => ({}) } as unknown as AuditLog,
      log: createLogger({ level: 'silent' }),
      clock: { now: () => Date.now() },
      probeHealth: async () => ({ ok: true, summary: '200 OK in 12 ms' }),
      replicaId,
      pollMs: 10,
      updateIntervalMs: 0,
      leaseMs: 300,
      ...options,
    });
  const record: WatchRecord = {
    deploymentId: 'dep-1',
    appId: 'app-1',
    app: 'web',
    env: 'staging',
    kind: 'deploy',
    user: 'U0ALICE',
    message: { channel: 'C0DEV', ts: '1.000001' },
    startedAt: new Date().toISOString(),
    healthUrl: 'https://staging.example.com/health',
    lines: ['Builds `main` at 9a4df0b.'],
  };
  return {
    ...recorded,
    redis,
    watchers,
    follower,
    record,
    move: (d: Deployment) => {
      current = d;
    },
  };
}

/** Every text of a message's blocks, joined: what a person reads in it. */
export const textOf = (m: SlackMessage) =>
  (m.blocks ?? []).map((b) => (b as { text?: { text?: string } }).text?.text ?? '').join('\n');
