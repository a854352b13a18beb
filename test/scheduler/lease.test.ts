import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { FakeClock, silentLog } from '../backup/helpers.js';
import { REDIS_URL, testRedis } from '../helpers/redis.js';

describe('scheduled jobs across replicas', () => {
  const { prefix } = testRedis('sched');
  const connections: Redis[] = [];
  afterAll(() => {
    for (const c of connections) c.disconnect();
  });
  /** A replica: its own Redis connection (same key space) and its own scheduler. */
  function replica(id: string, clock?: FakeClock): Scheduler {
    const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
    connections.push(redis);
    return new Scheduler({ redis, log: silentLog, replicaId: id, ...(clock ? { clock } : {}) });
  }

  it('three replicas on a per-second cron post once per tick', async () => {
    const posts: Array<{ replica: string; tick: string }> = [];
    const replicas = ['a', 'b', 'c'].map((id) => {
      const s = replica(id);
      s.cron('summary-fast', { cron: '* * * * * *', timezone: 'Europe/Berlin' }, async (tick) => {
        posts.push({ replica: id, tick: tick.toISOString() });
      });
      return s;
    });
    for (const s of replicas) void s.start();
    await new Promise((resolve) => setTimeout(resolve, 3200));
    for (const s of replicas) s.stop();
    const ticks = posts.map((p) => p.tick);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    // Scheduled times, whole seconds, one apart: the lease key is the tick, not the wake-up time.
    expect(ticks.every((t) => t.endsWith('.000Z'))).toBe(true);
  });

  it('a restarted replica that catches up on a tick already posted does not post it again', async () => {
    // Thursday 09:00 in Berlin is 08:00 UTC; the replicas come up 40 seconds later.
    const clock = new FakeClock(Date.parse('2026-11-05T08:00:40Z'));
    const schedule = { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' };
    const posts: string[] = [];
    const job = (id: string) => async (tick: Date) => {
      posts.push(`${id} ${tick.toISOString()}`);
    };

    // First life: all three replicas start in the catch-up window of a tick nobody ran.
    const first = ['a', 'b', 'c'].map((id) => {
      const s = replica(`${id}1`, clock);
      s.cron('summary', schedule, job(id));
      return s;
    });
    const results = await Promise.all(
      first.map((s) => s.runTick('summary', new Date('2026-11-05T08:00:00Z'))),
    );
    expect(results.sort()).toEqual(['ran', 'taken', 'taken']);
    for (const s of first) s.stop();

    // Second life: restarted replicas catch up on start; the tick was posted, so nobody posts.
    clock.advance(60_000);
    const second = ['a', 'b', 'c'].map((id) => {
      const s = replica(`${id}2`, clock);
      s.cron('summary', schedule, job(id));
      return s;
    });
    await Promise.all(second.map((s) => s.start()));
    for (const s of second) s.stop();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatch(/ 2026-11-05T08:00:00\.000Z$/);
  });

  it('catch-up after a restart posts a missed tick exactly once, and not outside the window', async () => {
    const posts: string[] = [];
    const start = async (clock: FakeClock, ids: string[]) => {
      const started = ids.map((id) => {
        const s = replica(id, clock);
        s.cron('digest', { cron: '30 6 * * *', timezone: 'UTC' }, async (tick) => {
          posts.push(tick.toISOString());
        });
        return s;
      });
      // Resolves once every catch-up tick these replicas ran at start has settled.
      await Promise.all(started.map((s) => s.start()));
      return started;
    };
    const inWindow = await start(new FakeClock(Date.parse('2026-11-05T06:35:00Z')), ['x1', 'y1', 'z1']);
    expect(posts).toEqual(['2026-11-05T06:30:00.000Z']);
    const late = await start(new FakeClock(Date.parse('2026-11-06T07:00:00Z')), ['x2', 'y2']);
    expect(posts).toEqual(['2026-11-05T06:30:00.000Z']);
    for (const s of [...inWindow, ...late]) s.stop();
  });

  it('fixed-period jobs (the health poll) also run on one replica per tick', async () => {
    const runs: string[] = [];
    const replicas = ['p', 'q', 'r'].map((id) => {
      const s = replica(id);
      s.every('poll', 1, async (tick) => {
        runs.push(tick.toISOString());
      });
      void s.start();
      return s;
    });
    await new Promise((resolve) => setTimeout(resolve, 2300));
    for (const s of replicas) s.stop();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runs).size).toBe(runs.length);
  });

  it('rejects a bad cron pattern or time zone at registration, not at run time', () => {
    const s = replica('bad');
    expect(() => s.cron('x', { cron: '61 * * * *', timezone: 'UTC' }, async () => undefined)).toThrow();
    expect(() =>
      s.cron('y', { cron: '0 9 * * *', timezone: 'Mars/Olympus' }, async () => undefined),
    ).toThrow();
  });
});
