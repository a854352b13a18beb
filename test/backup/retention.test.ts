import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DumpIndex } from '../../handlers/backup/index-store.js';
import { pruneDumps } from '../../handlers/backup/prune.js';
import { planRetention } from '../../handlers/backup/retention.js';
import type { DumpRecord } from '../../handlers/backup/types.js';
import { LocalStorage } from '../../src/storage/local.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, MemoryAudit, makeConfig, silentLog, tempDir } from './helpers.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-05T12:00:00Z');

/** One dump a day at 03:00 UTC for `days` days up to NOW. */
function dailyDumps(days: number): Array<{ id: string; createdAt: string }> {
  return Array.from({ length: days }, (_, i) => {
    const at = Date.parse('2026-11-05T03:00:00Z') - i * DAY;
    return { id: `main-${new Date(at).toISOString().slice(0, 10)}`, createdAt: new Date(at).toISOString() };
  });
}

describe('retention planning', () => {
  it('keeps 7 daily, 4 weekly (Sundays) and 3 monthly dumps out of a year of daily dumps', () => {
    const plan = planRetention(dailyDumps(365), { daily: 7, weekly: 4, monthly: 3 }, NOW);
    const kept = [...plan.keep.keys()].sort();
    expect(kept).toEqual([
      'main-2026-09-30', // newest of September
      'main-2026-10-18', // newest of the ISO week of Oct 12-18
      'main-2026-10-25',
      'main-2026-10-30', // daily from here on
      'main-2026-10-31', // also newest of October
      'main-2026-11-01', // also newest of its week
      'main-2026-11-02',
      'main-2026-11-03',
      'main-2026-11-04',
      'main-2026-11-05', // newest: daily, weekly and monthly
    ]);
    expect(plan.prune).toHaveLength(365 - kept.length);
    expect(plan.keep.get('main-2026-11-05')).toEqual(['daily', 'weekly', 'monthly', 'newest', 'recent']);
  });

  it('keeps only the newest dump of a day once the day is over, but any dump from the last 24 hours', () => {
    const dumps = [
      { id: 'a', createdAt: '2026-11-03T08:00:00Z' },
      { id: 'b', createdAt: '2026-11-03T20:00:00Z' },
      { id: 'c', createdAt: '2026-11-05T01:00:00Z' },
      { id: 'd', createdAt: '2026-11-05T09:00:00Z' },
    ];
    const plan = planRetention(dumps, { daily: 30, weekly: 0, monthly: 0 }, NOW);
    expect(plan.prune).toEqual(['a']);
  });

  it('never prunes the only dump, however old', () => {
    const plan = planRetention(
      [{ id: 'old', createdAt: '2020-01-01T00:00:00Z' }],
      { daily: 1, weekly: 1, monthly: 1 },
      NOW,
    );
    expect(plan.prune).toEqual([]);
  });
});

describe('pruning dumps', async () => {
  const { redis } = testRedis('prune');
  const dir = await tempDir();
  const storage = new LocalStorage(dir);
  const index = new DumpIndex(redis);
  const audit = new MemoryAudit();
  const clock = new FakeClock(NOW);
  const config = makeConfig({
    databases: { main: { engine: 'postgres', url: 'postgres://u@127.0.0.1/main' } },
    backups: { retention: { daily: 7, weekly: 4, monthly: 3 } },
  });

  it('deletes the files and index entries outside retention, each audited, and moves with the clock', async () => {
    for (const d of dailyDumps(60)) {
      const record: DumpRecord = {
        id: d.id,
        db: 'main',
        engine: 'postgres',
        key: `main/${d.id}.dump`,
        location: '',
        destination: 'local',
        size: 5,
        sha256: 'x',
        durationMs: 1,
        requestedBy: 'dockside',
        createdAt: d.createdAt,
        tool: 'pg_dump',
      };
      await storage.put(record.key, Readable.from([Buffer.from('PGDMP')]));
      await index.add(record);
    }
    const deps = { config, redis, storage, audit, clock, log: silentLog };
    const pruned = await pruneDumps(deps, 'main');
    expect(pruned).toHaveLength(50);
    expect((await index.list('main')).map((r) => r.id)).toHaveLength(10);
    expect(await storage.list('main/')).toHaveLength(10);
    expect(await storage.stat('main/main-2026-09-30.dump')).not.toBeNull();
    expect(await storage.stat('main/main-2026-10-29.dump')).toBeNull();

    const starts = audit.entries.filter((e) => e.result === 'started');
    expect(starts).toHaveLength(50);
    expect(
      starts.every((e) => e.action === 'backup.prune' && e.actor === 'dockside' && e.database === 'main'),
    ).toBe(true);
    expect(starts[0]?.detail).toMatch(/outside retention daily 7 \/ weekly 4 \/ monthly 3/);
    const outcomes = audit.entries.filter((e) => e.result === 'succeeded');
    expect(outcomes.map((e) => e.ref)).toEqual(starts.map((e) => e.id));

    // A second run the same day finds nothing to do.
    expect(await pruneDumps(deps, 'main')).toEqual([]);
    // A month later with no new dumps, only the newest of November and of October are left.
    clock.advance(30 * DAY);
    await pruneDumps(deps, 'main');
    expect((await index.list('main')).map((r) => r.id)).toEqual(['main-2026-11-05', 'main-2026-10-31']);
  });
});
