import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DocksideError } from '../../src/errors.js';
import { mention, slackDate } from '../../src/render/format.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** Lease length: long enough to survive a slow Redis, short enough that a crashed replica frees it soon. */
const LEASE_MS = 120_000;

export interface DumpLockInfo {
  by: string;
  since: string;
}

/**
 * One dump per database across all replicas. The lease is renewed while the dump runs,
 * so a replica that dies mid-dump frees the database within LEASE_MS.
 */
export async function withDumpLock<T>(
  redis: Redis,
  db: string,
  info: DumpLockInfo,
  work: () => Promise<T>,
): Promise<T> {
  const key = `backup:${db}:running`;
  const token = randomBytes(8).toString('hex');
  const value = JSON.stringify({ token, ...info });
  const ok = await redis.set(key, value, 'PX', LEASE_MS, 'NX');
  if (ok !== 'OK') {
    const current = await redis.get(key);
    const holder = current ? (JSON.parse(current) as DumpLockInfo) : null;
    const who = holder
      ? ` (asked by ${holder.by === 'dockside' ? 'the schedule' : mention(holder.by)} ${slackDate(holder.since)})`
      : '';
    throw new DocksideError('backup_running', `A dump of ${db} is already running${who}.`, {
      hint: `Wait for it to finish; \`/backup ${db} list\` shows it once it is done.`,
    });
  }
  const renew = setInterval(() => {
    redis.eval(RENEW, 1, key, value, String(LEASE_MS)).catch(() => undefined);
  }, LEASE_MS / 4);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, value).catch(() => undefined);
  }
}
