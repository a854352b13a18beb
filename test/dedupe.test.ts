import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createDedupe } from '../src/dedupe.js';
import { REDIS_URL, testRedis } from './helpers/redis.js';

const others: Redis[] = [];
afterAll(() => {
  for (const r of others) r.disconnect();
});

describe('dedupe', () => {
  it('lets exactly one of many replicas handle the same Slack retry', async () => {
    const { prefix } = testRedis('dedupe');
    const replicas = Array.from({ length: 10 }, () => {
      const r = new Redis(REDIS_URL, { keyPrefix: prefix });
      others.push(r);
      return createDedupe(r);
    });
    const answers = await Promise.all(replicas.map((d) => d.once('slack:evt:Ev123', 60)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await replicas[0]!.once('slack:evt:Ev124', 60)).toBe(true);
  });

  it('forgets a key after its ttl', async () => {
    const { redis } = testRedis('dedupe');
    const dedupe = createDedupe(redis);
    expect(await dedupe.once('k', 1)).toBe(true);
    expect(await dedupe.once('k', 1)).toBe(false);
    expect(await redis.ttl('dedupe:k')).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await dedupe.once('k', 1)).toBe(true);
  });

  it('throws instead of guessing when Redis is down', async () => {
    const down = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => {});
    others.push(down);
    await expect(createDedupe(down).once('k', 10)).rejects.toThrow();
    await expect(createDedupe(down).once('k', 0)).rejects.toThrow(RangeError);
  });
});
