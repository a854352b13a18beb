import type { Redis } from 'ioredis';
import { failed, INTENT_INDEX, intentKey, type RunIntent, replicaKey } from '../../src/intents.js';
import type { MessageRef, SlackMessage } from '../../src/slack/reply.js';
import type { VerifyState } from './verify/types.js';

/** A deployment whose Slack message dockside keeps up to date; kept in Redis so a restart resumes it. */
export interface WatchRecord {
  deploymentId: string;
  appId: string;
  app: string;
  env: string;
  /** What started it, for the message title: deploy, promote, rollback, revert. */
  kind: string;
  user: string;
  /** The progress message; empty `ts` when it could not be posted yet (the follower posts one). */
  message: MessageRef;
  /** Where to post the progress message when there is none yet. */
  channel?: string;
  /** When the work was asked for (its intent's creation): deadlines count from here, across takeovers. */
  startedAt: string;
  healthUrl?: string;
  autoRollback?: boolean;
  /** Approval request that this deployment carries out, if any. */
  approvalId?: string;
  /** Audit entry of the command that started it; the result entry points back at it. */
  auditRef?: string;
  /** Extra plain lines shown in the message (e.g. what a promotion changes). */
  lines?: string[];
  /** Post-deploy verification under way (handlers/deploy/verify): survives a takeover. */
  verify?: VerifyState;
  /**
   * The outcome message, once the deployment ended and its audit and approval were
   * recorded: whoever holds the record next only delivers this, it does not conclude again.
   */
  final?: FinalOutcome;
  /** Milliseconds between polls of this deployment, when not the follower's default (out-of-band ones poll slower). */
  pollMs?: number;
  /** Follow without a progress message and post the outcome only when it failed (`announce: failures`). */
  postOnlyIfFailed?: boolean;
  /** The deployment that served before this one (out-of-band: what a "Roll back" goes back to). */
  previousDeploymentId?: string;
  /** Its auto-rollback, saved before it is sent: a replica that takes over follows it, never sends another. */
  rollingBack?: RollingBack;
}

export interface RollingBack {
  /** The deployment it rolls back to. */
  to: string;
  /** When it was about to be sent (ISO). */
  at: string;
  /** The rollback's own deployment, once DigitalOcean answered. */
  deploymentId?: string;
}

/** What to follow for an intent whose deployment DigitalOcean created. */
export function watchRecordFrom(
  intent: RunIntent,
  deploymentId: string,
  message: MessageRef,
  lines?: string[],
): WatchRecord {
  return {
    deploymentId,
    appId: intent.appId ?? '',
    app: intent.app ?? '',
    env: intent.env ?? '',
    kind: intent.kind,
    user: intent.user,
    message,
    ...(intent.channel ? { channel: intent.channel } : {}),
    startedAt: intent.createdAt,
    ...(intent.healthUrl ? { healthUrl: intent.healthUrl } : {}),
    ...(intent.autoRollback ? { autoRollback: true } : {}),
    ...(intent.auditRef ? { auditRef: intent.auditRef } : {}),
    ...(intent.approvalId ? { approvalId: intent.approvalId } : {}),
    ...(lines && lines.length > 0 ? { lines } : {}),
  };
}

export interface FinalOutcome {
  /** The channel line as it ends. */
  message: SlackMessage;
  /** The details that end the thread (health, failure excerpt, what to do next). */
  reply?: SlackMessage;
  ok: boolean;
  /** First outcome line, for the approval the deployment carried out. */
  summary: string;
}

export const WATCH_INDEX = 'watch:index';
const INDEX = WATCH_INDEX;
export const watchKey = (id: string) => `watch:${id}`;
const key = watchKey;
const leaseKey = (id: string) => `watch:${id}:lease`;
/** Thread replies already posted under the message, by key: part of the record, kept apart so a claim is atomic. */
const repliesKey = (id: string) => `watch:${id}:replies`;
/** Claims not yet known to be posted: reply key -> PendingReply (JSON). A key claimed and not here was posted. */
const pendingKey = (id: string) => `watch:${id}:pending`;

/** A thread reply claimed and not yet known to be in Slack: enough for another replica to post it. */
export interface PendingReply {
  owner: string;
  /** Milliseconds: when it was claimed (or last taken over); stale past the reply lease, or once its owner is dead. */
  at: number;
  message: SlackMessage;
}
/**
 * Says that a deployment is dockside's to report: set with every watch record, and by the
 * out-of-band watcher when it claims one (handlers/announce/claims.ts), so that a deployment
 * dockside started is never announced as someone else's, even after its record is gone.
 */
export const announceClaimKey = (id: string) => `announce:claim:${id}`;
/** Longer than any deployment and than the watcher looks back (a week). */
export const ANNOUNCE_CLAIM_TTL_MS = 7 * 24 * 3600_000;

export interface WatcherStore {
  /** Saves the record; when `intentId` is given, removes that intent in the same transaction. */
  save(record: WatchRecord, intentId?: string): Promise<void>;
  remove(deploymentId: string): Promise<void>;
  list(): Promise<WatchRecord[]>;
  /** Takes or renews the right to follow one deployment; true when this replica holds it. */
  lease(deploymentId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (on shutdown) so another replica resumes at once. */
  release(deploymentId: string, owner: string): Promise<void>;
  /**
   * Claims the thread reply `key` (`phase:BUILDING`; `final` from older versions): true only
   * for the first caller, on any replica, so a reply is posted at most once even across takeovers.
   */
  claimReply(deploymentId: string, key: string): Promise<boolean>;
  /** Whether the reply `key` was claimed (posted, or being posted when its replica died). */
  hasReply(deploymentId: string, key: string): Promise<boolean>;
  /**
   * Claims the reply `key` as claimReply does, and keeps what it says as pending until
   * donePending: a replica that dies before Slack has it leaves it for the next to post.
   */
  claimPending(deploymentId: string, key: string, pending: PendingReply): Promise<boolean>;
  /** The claims not yet known to be posted, by key. */
  pendingReplies(deploymentId: string): Promise<Map<string, PendingReply>>;
  /** Takes over a pending claim, only if it is still exactly `was` (one replica wins a stale claim). */
  takePending(deploymentId: string, key: string, was: PendingReply, now: PendingReply): Promise<boolean>;
  /** The reply is in Slack (posted, or found in the thread): no longer pending, and `posted:key` recorded. */
  donePending(deploymentId: string, key: string): Promise<void>;
  /** Whether a replica's liveness mark (its recovery heartbeat, src/intents.ts) is current. */
  replicaAlive(replica: string): Promise<boolean>;
}

const LEASE = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

const CLAIM_PENDING = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

const TAKE_PENDING = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

export function createWatcherStore(redis: Redis): WatcherStore {
  /** The exact JSON a pending claim was stored as, by object: takePending compares strings. */
  const stored = new WeakMap<PendingReply, string>();
  return {
    async save(record, intentId) {
      const tx = redis
        .multi()
        .set(key(record.deploymentId), JSON.stringify(record))
        .sadd(INDEX, record.deploymentId)
        .set(announceClaimKey(record.deploymentId), record.kind, 'PX', ANNOUNCE_CLAIM_TTL_MS);
      if (intentId) tx.del(intentKey(intentId)).zrem(INTENT_INDEX, intentId);
      failed(await tx.exec());
    },
    async remove(deploymentId) {
      failed(
        await redis
          .multi()
          .del(key(deploymentId), leaseKey(deploymentId), repliesKey(deploymentId), pendingKey(deploymentId))
          .srem(INDEX, deploymentId)
          .exec(),
      );
    },
    async list() {
      const ids = await redis.smembers(INDEX);
      if (ids.length === 0) return [];
      const values = await redis.mget(ids.map(key));
      return values.flatMap((v) => (v ? [JSON.parse(v) as WatchRecord] : []));
    },
    async lease(deploymentId, owner, ttlMs) {
      return (await redis.eval(LEASE, 1, leaseKey(deploymentId), owner, String(ttlMs))) === 1;
    },
    async release(deploymentId, owner) {
      await redis.eval(RELEASE, 1, leaseKey(deploymentId), owner);
    },
    async claimReply(deploymentId, replyKey) {
      return (await redis.sadd(repliesKey(deploymentId), replyKey)) === 1;
    },
    async hasReply(deploymentId, replyKey) {
      return (await redis.sismember(repliesKey(deploymentId), replyKey)) === 1;
    },
    async claimPending(deploymentId, replyKey, pending) {
      const keys = [repliesKey(deploymentId), pendingKey(deploymentId)];
      return (await redis.eval(CLAIM_PENDING, 2, ...keys, replyKey, JSON.stringify(pending))) === 1;
    },
    async pendingReplies(deploymentId) {
      const all = await redis.hgetall(pendingKey(deploymentId));
      const out = new Map<string, PendingReply>();
      for (const [replyKey, json] of Object.entries(all)) {
        const pending = JSON.parse(json) as PendingReply;
        stored.set(pending, json);
        out.set(replyKey, pending);
      }
      return out;
    },
    async takePending(deploymentId, replyKey, was, now) {
      const before = stored.get(was) ?? JSON.stringify(was);
      const after = JSON.stringify(now);
      const taken = await redis.eval(TAKE_PENDING, 1, pendingKey(deploymentId), replyKey, before, after);
      if (taken === 1) stored.set(now, after);
      return taken === 1;
    },
    async replicaAlive(replica) {
      return (await redis.exists(replicaKey(replica))) === 1;
    },
    async donePending(deploymentId, replyKey) {
      failed(
        await redis
          .multi()
          .hdel(pendingKey(deploymentId), replyKey)
          .sadd(repliesKey(deploymentId), `posted:${replyKey}`)
          .exec(),
      );
    },
  };
}
