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

export async function redisHealthy(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
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
