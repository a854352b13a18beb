import type { Redis } from 'ioredis';

export interface Dedupe {
  /**
   * True for the first caller of `key` within `ttlSeconds`, across every replica; false
   * for a repeat (a Slack retry, a double click). A Redis failure throws rather than
   * answering either way: the caller must not guess whether the work already ran.
   */
  once(key: string, ttlSeconds: number): Promise<boolean>;
}

export function createDedupe(redis: Redis): Dedupe {
  return {
    async once(key, ttlSeconds) {
      const ttl = Math.ceil(ttlSeconds);
      if (!(ttl > 0)) throw new RangeError(`dedupe ttl must be positive, got ${ttlSeconds}`);
      return (await redis.set(`dedupe:${key}`, '1', 'EX', ttl, 'NX')) === 'OK';
    },
  };
}
