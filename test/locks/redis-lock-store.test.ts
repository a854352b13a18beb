import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisLockStore } from '../../src/locks/redis-lock-store.js';
import type { Lock } from '../../src/locks/types.js';
import { REDIS_URL, testRedis } from '../helpers/redis.js';

const HOUR = 60 * 60 * 1000;

function setup() {
  const { redis, prefix } = testRedis('locks');
  let t = Date.parse('2025-04-01T12:00:00Z');
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  return { redis, prefix, clock, locks: createRedisLockStore({ redis, clock }) };
}

const freeze = (over: Partial<Lock> = {}): Lock => ({
  app: 'web',
  env: 'production',
  by: 'U0ALICE',
  reason: 'incident 42',
  since: '2025-04-01T12:00:00.000Z',
  ...over,
});

const others: Redis[] = [];
afterAll(() => {
  for (const r of others) r.disconnect();
});

describe('redis lock store', () => {
  it('locks an env until it is unlocked, and unlock hands back what was removed', async () => {
    const { locks } = setup();
    expect(await locks.get('web', 'production')).toBeNull();
    await locks.lock(freeze());
    expect(await locks.get('web', 'production')).toEqual(freeze());
    expect(await locks.get('web', 'staging')).toBeNull();
    expect(await locks.unlock('web', 'production')).toEqual(freeze());
    expect(await locks.get('web', 'production')).toBeNull();
    expect(await locks.unlock('web', 'production')).toBeNull();
    expect(await locks.list()).toEqual([]);
  });

  it('is seen by another replica', async () => {
    const { prefix, clock, locks } = setup();
    const other = new Redis(REDIS_URL, { keyPrefix: prefix });
    others.push(other);
    await locks.lock(freeze());
    expect(await createRedisLockStore({ redis: other, clock }).get('web', 'production')).toMatchObject({
      by: 'U0ALICE',
    });
  });

  it('re-locking replaces reason and expiry', async () => {
    const { clock, locks } = setup();
    await locks.lock(freeze({ expiresAt: new Date(clock.now() + HOUR).toISOString() }));
    await locks.lock(freeze({ by: 'U0BOB', reason: 'release freeze' }));
    clock.advance(2 * HOUR);
    expect(await locks.get('web', 'production')).toEqual(freeze({ by: 'U0BOB', reason: 'release freeze' }));
  });

  it("acquire refuses someone else's live lock, takes an expired one, updates one's own, and --force replaces", async () => {
    const { clock, locks } = setup();
    const alice = freeze({ expiresAt: new Date(clock.now() + HOUR).toISOString() });
    expect(await locks.acquire(alice, { force: false })).toEqual({ ok: true });
    const bob = freeze({ by: 'U0BOB', reason: 'quick test', since: '2025-04-01T12:01:00.000Z' });
    expect(await locks.acquire(bob, { force: false })).toEqual({ ok: false, held: alice });
    expect(await locks.get('web', 'production')).toEqual(alice);
    const again = freeze({ reason: 'incident 42, still' });
    expect(await locks.acquire(again, { force: false })).toEqual({ ok: true });
    expect(await locks.get('web', 'production')).toEqual(again);
    expect(await locks.acquire(bob, { force: true })).toEqual({ ok: true, replaced: again });
    expect(await locks.get('web', 'production')).toEqual(bob);
    const short = freeze({ app: 'erp', expiresAt: new Date(clock.now() + HOUR).toISOString() });
    await locks.acquire(short, { force: false });
    clock.advance(HOUR);
    const later = freeze({ app: 'erp', by: 'U0BOB', since: new Date(clock.now()).toISOString() });
    expect(await locks.acquire(later, { force: false })).toEqual({ ok: true });
    expect((await locks.list()).map((l) => `${l.app}:${l.by}`)).toEqual(['erp:U0BOB', 'web:U0BOB']);
  });

  it('reads an expired lock as no lock, in get, list and unlock', async () => {
    const { clock, locks } = setup();
    await locks.lock(freeze({ expiresAt: new Date(clock.now() + HOUR).toISOString() }));
    await locks.lock(freeze({ app: 'erp', env: 'production' }));
    clock.advance(HOUR - 1);
    expect((await locks.list()).map((l) => l.app)).toEqual(['erp', 'web']);
    clock.advance(1);
    expect(await locks.get('web', 'production')).toBeNull();
    expect((await locks.list()).map((l) => l.app)).toEqual(['erp']);
    expect(await locks.unlock('web', 'production')).toBeNull();
  });

  it('lets Redis drop the expired lock, and forgets it in the index', async () => {
    const { redis, clock, locks } = setup();
    await locks.lock(freeze({ expiresAt: new Date(clock.now() + HOUR).toISOString() }));
    const ttl = await redis.pttl('lock:web:production');
    expect(ttl).toBeGreaterThan(HOUR);
    expect(ttl).toBeLessThan(HOUR + 2 * 60_000);
    await redis.del('lock:web:production');
    expect(await locks.list()).toEqual([]);
    expect(await redis.smembers('locks')).toEqual([]);
  });

  it('refuses a lock that would already have ended', async () => {
    const { clock, locks } = setup();
    await expect(
      locks.lock(freeze({ expiresAt: new Date(clock.now() - 1).toISOString() })),
    ).rejects.toMatchObject({
      code: 'usage',
    });
    expect(await locks.get('web', 'production')).toBeNull();
  });

  it('reports an unreachable Redis as redis_unavailable', async () => {
    const down = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => {});
    others.push(down);
    const locks = createRedisLockStore({ redis: down, clock: { now: () => 0 } });
    await expect(locks.get('web', 'production')).rejects.toMatchObject({ code: 'redis_unavailable' });
  });
});
