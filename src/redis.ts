import { Redis } from 'ioredis';
import { DocksideError } from './errors.js';
import { scrub } from './secrets.js';

/**
 * Redis fails fast: "no audit, no action" means a command must be refused within a
 * second or two when Redis is gone, not after ioredis' default of queueing and
 * retrying for ~20 s. Reconnection still happens in the background.
 */
export function createRedis(url: string, options: { keyPrefix?: string } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...(url.startsWith('rediss://') ? { tls: {} } : {}),
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  });
  redis.on('error', () => {
    // surfaced by the commands that need Redis and by GET /health
  });
  return redis;
}

export async function connectRedis(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new DocksideError('redis_unavailable', `Cannot reach Redis at ${scrub(url)}.`, {
      hint: 'Start Redis or set REDIS_URL; dockside keeps its audit log, approvals and locks there.',
      cause: err,
    });
  }
}

export type RedisHealth =
  | { ok: true }
  | { ok: false; state: 'unreachable' | 'readonly' | 'oom' | 'error'; reason: string };

/**
 * Whether Redis takes writes, not only PING: after a failover a replica answers PING
 * but refuses writes (READONLY), and a full one refuses them too (OOM). Every action
 * writes its audit entry first, so either means dockside cannot do anything.
 */
export async function redisHealth(redis: Redis, probeKey: string): Promise<RedisHealth> {
  try {
    await redis.set(probeKey, String(Date.now()), 'PX', 30_000);
    return { ok: true };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith('READONLY'))
      return {
        ok: false,
        state: 'readonly',
        reason: 'Redis refuses writes (READONLY: it is a replica, e.g. after a failover)',
      };
    if (message.startsWith('OOM'))
      return { ok: false, state: 'oom', reason: 'Redis refuses writes (OOM: maxmemory reached)' };
    if (/^(ERR|WRONGTYPE|NOAUTH|NOPERM|MISCONF)/.test(message))
      return { ok: false, state: 'error', reason: `Redis refuses writes (${message.split(' ')[0]})` };
    return { ok: false, state: 'unreachable', reason: 'Redis cannot be reached' };
  }
}

/** Deletes every key under a prefix. Give it a client WITHOUT a keyPrefix: SCAN returns full names. */
export async function deleteKeysUnder(plain: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await plain.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await plain.del(...keys);
  } while (cursor !== '0');
}
