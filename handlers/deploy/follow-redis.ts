import type { Logger } from '../../src/logger.js';
import type { WatcherStore, WatchRecord } from './watchers.js';

/** What the Redis-patient helpers of the follower need. */
export interface PatientRedis {
  watchers: WatcherStore;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  stopping: () => boolean;
}

/**
 * Takes the lease, waiting up to two minutes for a Redis that is down: this replica holds
 * the record in memory, and a Redis that comes back empty no longer has it.
 */
export async function leaseWhileRedisRecovers(
  r: PatientRedis,
  record: WatchRecord,
  owner: string,
  leaseMs: number,
  log: Logger,
): Promise<boolean> {
  const deadline = r.now() + 120_000;
  for (;;) {
    try {
      return await r.watchers.lease(record.deploymentId, owner, leaseMs);
    } catch (err) {
      if (r.now() > deadline || r.stopping()) throw err;
      log.warn({ err }, 'could not take the lease of a deployment; retrying');
      await r.sleep(1000);
    }
  }
}

/** Saves the record, waiting up to `patienceMs` for a Redis that is down to come back. */
export async function saveWhileRedisRecovers(
  r: PatientRedis,
  record: WatchRecord,
  log: Logger,
  patienceMs = 60_000,
): Promise<void> {
  const deadline = r.now() + patienceMs;
  for (;;) {
    try {
      await r.watchers.save(record);
      return;
    } catch (err) {
      if (r.now() > deadline || r.stopping()) throw err;
      log.warn({ err }, 'could not save a followed deployment; retrying');
      await r.sleep(1000);
    }
  }
}
