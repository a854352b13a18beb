import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { deleteKeysUnder } from '../../src/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A Redis connection with its own key prefix, so tests run in parallel and leave
 * nothing behind (keys under the prefix are deleted after the file's tests).
 */
export function testRedis(label = 't'): { redis: Redis; prefix: string } {
  const prefix = `test:${label}:${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => {
    // a connection error is reported by the command that needed it
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
  });
  return { redis, prefix };
}

/** Deletes every key under a prefix (on a plain connection). */
export async function deleteKeys(prefix: string): Promise<void> {
  const plain = new Redis(REDIS_URL);
  try {
    await deleteKeysUnder(plain, prefix);
  } finally {
    plain.disconnect();
  }
}
