import type { Redis } from 'ioredis';
import {
  ANNOUNCE_CLAIM_TTL_MS,
  announceClaimKey,
  WATCH_INDEX,
  type WatchRecord,
  watchKey,
} from '../deploy/watchers.js';
import type { AppWatchState } from './detect.js';

const STATE = 'announce:state';

/**
 * Claims a deployment for announcing and saves its watch record in one step: exactly one
 * replica wins (SET NX), and a replica that dies right after still leaves the record for
 * the follower of any replica to resume. The key is the one every watch record sets, so a
 * deployment dockside started itself is never claimed here.
 */
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[4])
  return 1
end
return 0`;

export interface AnnounceStore {
  /** True on exactly one caller per deployment, ever (within the claim's week). */
  claim(record: WatchRecord, owner: string): Promise<boolean>;
  states(): Promise<Map<string, AppWatchState>>;
  saveStates(states: Map<string, AppWatchState>): Promise<void>;
}

export function createAnnounceStore(redis: Redis): AnnounceStore {
  return {
    async claim(record, owner) {
      const won = await redis.eval(
        CLAIM,
        3,
        announceClaimKey(record.deploymentId),
        watchKey(record.deploymentId),
        WATCH_INDEX,
        `external:${owner}`,
        String(ANNOUNCE_CLAIM_TTL_MS),
        JSON.stringify(record),
        record.deploymentId,
      );
      return won === 1;
    },
    async states() {
      const raw = await redis.hgetall(STATE);
      const out = new Map<string, AppWatchState>();
      for (const [appId, json] of Object.entries(raw)) {
        try {
          out.set(appId, JSON.parse(json) as AppWatchState);
        } catch {
          // A damaged entry is looked at afresh (as a first sight) rather than stopping the tick.
        }
      }
      return out;
    },
    async saveStates(states) {
      if (states.size === 0) return;
      await redis.hset(STATE, Object.fromEntries([...states].map(([id, s]) => [id, JSON.stringify(s)])));
    },
  };
}
