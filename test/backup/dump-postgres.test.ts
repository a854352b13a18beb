import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createBackupOperations } from '../../handlers/backup/index.js';
import { DumpIndex } from '../../handlers/backup/index-store.js';
import { isDocksideError } from '../../src/errors.js';
import { LocalStorage } from '../../src/storage/local.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, fakeDo, MemoryAudit, makeConfig, scratchPg, silentLog, tempDir } from './helpers.js';

describe('PostgreSQL dumps with the real pg_dump', async () => {
  const { redis } = testRedis('pgdump');
  const source = await scratchPg('src');
  const target = await scratchPg('dst');
  const dir = await tempDir();
  await source.query(`
    CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
    CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users(id), total numeric);
    INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 5000) g;
    INSERT INTO orders (user_id, total) SELECT 1 + g % 5000, g * 1.5 FROM generate_series(1, 20000) g;
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
  `);
  // The target already holds a stale copy: a restore must replace it, not fail or merge.
  await target.query(
    "CREATE TABLE users (id int PRIMARY KEY, email text); INSERT INTO users VALUES (1, 'stale')",
  );
  const config = makeConfig({
    databases: {
      main: { engine: 'postgres', url: source.url, restore_target: 'scratch' },
      scratch: { engine: 'postgres', url: target.url },
    },
  });
  const storage = new LocalStorage(dir);
  const ops = createBackupOperations({
    config,
    redis,
    storage,
    do: fakeDo().client,
    audit: new MemoryAudit(),
    clock: new FakeClock(Date.parse('2026-11-05T09:00:00Z')),
    log: silentLog,
  });

  it('dumps, verifies, indexes and restores into the restore target with the same row counts', async () => {
    const progress: number[] = [];
    let started = false;
    const record = await ops.dump({
      db: 'main',
      requestedBy: 'U0ALICE',
      onStarted: () => {
        started = true;
      },
      onProgress: (b) => progress.push(b),
    });
    expect(started).toBe(true);
    expect(record.size).toBeGreaterThan(10_000);
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.tool).toMatch(/pg_dump \(PostgreSQL\) \d+/);
    expect(progress.at(-1)).toBe(record.size);
    expect(await storage.stat(record.key)).toEqual({ key: record.key, size: record.size });
    expect((await ops.list('main')).items.map((i) => i.id)).toEqual([record.id]);

    const result = await ops.restore({ db: 'main', backupId: record.id, requestedBy: 'U0BOB' });
    expect(result).toMatchObject({ kind: 'dump', target: 'scratch' });
    const counts = async (db: typeof source) =>
      (await db.query('SELECT (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM orders) AS o'))
        .rows[0];
    expect(await counts(target)).toEqual(await counts(source));
    expect(await counts(target)).toEqual({ u: '5000', o: '20000' });
    const stale = await target.query("SELECT count(*)::int AS n FROM users WHERE email = 'stale'");
    expect(stale.rows[0].n).toBe(0);
    const view = await target.query('SELECT count(*)::int AS n FROM big_orders');
    expect(view.rows[0].n).toBeGreaterThan(0);
  });

  it('tells a second request that a dump of the db is already running, and runs only one', async () => {
    const results = await Promise.allSettled([
      ops.dump({ db: 'main', requestedBy: 'U0ALICE' }),
      ops.dump({ db: 'main', requestedBy: 'U0BOB' }),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const reason = (rejected[0] as PromiseRejectedResult).reason;
    expect(isDocksideError(reason, 'backup_running')).toBe(true);
    expect(reason.message).toContain('already running');
    // After it finished, the next one may run again.
    await expect(ops.dump({ db: 'main', requestedBy: 'U0BOB' })).resolves.toMatchObject({ db: 'main' });
  });

  it('refuses to restore a dump whose file changed since it was taken', async () => {
    const record = await ops.dump({ db: 'main', requestedBy: 'U0ALICE' });
    await storage.delete(record.key);
    const { Readable } = await import('node:stream');
    await storage.put(record.key, Readable.from([Buffer.from('PGDMP tampered')]));
    await expect(ops.restore({ db: 'main', backupId: record.id, requestedBy: 'U0BOB' })).rejects.toThrow(
      /differs from what was written/,
    );
    await new DumpIndex(redis).remove('main', record.id);
  });

  it('leaves only finished dumps in the directory', async () => {
    const files = await readdir(dir, { recursive: true });
    expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
