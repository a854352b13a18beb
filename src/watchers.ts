import type { Redis } from 'ioredis';
import type { MessageRef } from './slack/reply.js';

/** A deployment whose Slack message dockside keeps up to date; kept in Redis so a restart resumes it. */
export interface WatchRecord {
  deploymentId: string;
  appId: string;
  app: string;
  env: string;
  /** What started it, for the message title: deploy, promote, rollback, revert. */
  kind: string;
  user: string;
  message: MessageRef;
  startedAt: string;
  healthUrl?: string;
  autoRollback?: boolean;
  /** Approval request that this deployment carries out, if any. */
  approvalId?: string;
  /** Audit entry of the command that started it; the result entry points back at it. */
  auditRef?: string;
  /** Extra plain lines shown in the message (e.g. what a promotion changes). */
  lines?: string[];
}

const INDEX = 'watch:index';
const key = (id: string) => `watch:${id}`;
const leaseKey = (id: string) => `watch:${id}:lease`;

export interface WatcherStore {
  save(record: WatchRecord): Promise<void>;
  remove(deploymentId: string): Promise<void>;
  list(): Promise<WatchRecord[]>;
  /** Takes or renews the right to follow one deployment; true when this replica holds it. */
  lease(deploymentId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (on shutdown) so another replica resumes at once. */
  release(deploymentId: string, owner: string): Promise<void>;
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

export function createWatcherStore(redis: Redis): WatcherStore {
  return {
    async save(record) {
      await redis
        .multi()
        .set(key(record.deploymentId), JSON.stringify(record))
        .sadd(INDEX, record.deploymentId)
        .exec();
    },
    async remove(deploymentId) {
      await redis.multi().del(key(deploymentId), leaseKey(deploymentId)).srem(INDEX, deploymentId).exec();
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
  };
}
