import type { Redis } from 'ioredis';
import type { DumpRecord } from './types.js';

/**
 * The dump index in Redis: a sorted set per db (score = start time) and the records
 * as JSON in a hash, so listing is one ZRANGE plus one HMGET.
 */
export class DumpIndex {
  constructor(private readonly redis: Redis) {}

  async add(record: DumpRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(recordsKey(record.db), record.id, JSON.stringify(record))
      .zadd(orderKey(record.db), Date.parse(record.createdAt), record.id)
      .exec();
  }

  /** Newest first. */
  async list(db: string, limit = 1000): Promise<DumpRecord[]> {
    const ids = await this.redis.zrevrange(orderKey(db), 0, limit - 1);
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(recordsKey(db), ...ids);
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as DumpRecord);
  }

  async get(db: string, id: string): Promise<DumpRecord | null> {
    const raw = await this.redis.hget(recordsKey(db), id);
    return raw ? (JSON.parse(raw) as DumpRecord) : null;
  }

  async newest(db: string): Promise<DumpRecord | null> {
    return (await this.list(db, 1))[0] ?? null;
  }

  async remove(db: string, id: string): Promise<void> {
    await this.redis.multi().hdel(recordsKey(db), id).zrem(orderKey(db), id).exec();
  }
}

const recordsKey = (db: string) => `backup:${db}:records`;
const orderKey = (db: string) => `backup:${db}:order`;
