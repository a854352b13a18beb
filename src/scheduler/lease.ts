import type { Redis } from 'ioredis';

/**
 * Claims one scheduled tick for one replica. The key is the tick's scheduled time, not
 * the time a replica woke up, so replicas with slightly different clocks, and a replica
 * that restarts and catches up on the same tick, all compete for the same key: the first
 * SET NX wins and every later attempt for that tick is refused.
 */
export class TickLease {
  constructor(
    private readonly redis: Redis,
    private readonly replicaId: string,
  ) {}

  async claim(name: string, tick: Date, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.set(tickKey(name, tick), this.replicaId, 'PX', Math.max(1000, ttlMs), 'NX');
    return ok === 'OK';
  }

  /** Which replica ran a tick, if any (for logs and tests). */
  holder(name: string, tick: Date): Promise<string | null> {
    return this.redis.get(tickKey(name, tick));
  }
}

const tickKey = (name: string, tick: Date) => `scheduler:tick:${name}:${tick.toISOString()}`;
