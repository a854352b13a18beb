import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createBackupOperations } from '../../handlers/backup/index.js';
import { LocalStorage } from '../../src/storage/local.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, fakeDo, MemoryAudit, makeConfig, scratchMysql, silentLog, tempDir } from './helpers.js';

describe('MySQL dumps with the real mysqldump (MariaDB)', async () => {
  const { redis } = testRedis('mydump');
  const source = await scratchMysql('src');
  const target = await scratchMysql('dst');
  const dir = await tempDir();
  await source.query(`
    CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50), qty INT);
    CREATE TABLE audit_items (id INT AUTO_INCREMENT PRIMARY KEY, item_id INT);
    CREATE TRIGGER items_ai AFTER INSERT ON items FOR EACH ROW INSERT INTO audit_items (item_id) VALUES (NEW.id);
    CREATE PROCEDURE total_qty() SELECT SUM(qty) FROM items;
    INSERT INTO items (name, qty) SELECT CONCAT('item', seq), seq % 17 FROM seq_1_to_3000;
  `);
  const config = makeConfig({
    databases: {
      erp: { engine: 'mysql', url: source.url, restore_target: 'erp_scratch' },
      erp_scratch: { engine: 'mysql', url: target.url },
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

  it('dumps with routines and triggers, verifies the trailer and restores with the same row counts', async () => {
    const record = await ops.dump({ db: 'erp', requestedBy: 'U0ALICE' });
    expect(record.engine).toBe('mysql');
    expect(record.key).toMatch(/\.sql\.gz$/);
    const text = gunzipSync(await readFile(record.location)).toString('utf8');
    expect(text).toContain('CREATE DEFINER');
    expect(text).toMatch(/-- Dump completed/);

    await ops.restore({ db: 'erp', backupId: record.id, requestedBy: 'U0BOB' });
    const count = async (db: typeof source, table: string) =>
      ((await db.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number }>)[0]?.n;
    expect(await count(target, 'items')).toBe(3000);
    expect(await count(target, 'audit_items')).toBe(await count(source, 'audit_items'));
    // The trigger came along: an insert on the target fires it.
    await target.query("INSERT INTO items (name, qty) VALUES ('new', 1)");
    expect(await count(target, 'audit_items')).toBe(3001);
    const procs = (await target.query(
      `SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${target.name}'`,
    )) as Array<{ ROUTINE_NAME: string }>;
    expect(procs.map((p) => p.ROUTINE_NAME)).toEqual(['total_qty']);
  });

  it('never restores into the source database', async () => {
    const selfConfig = makeConfig({ databases: { erp: { engine: 'mysql', url: source.url } } });
    const selfOps = createBackupOperations({
      config: selfConfig,
      redis,
      storage,
      do: fakeDo().client,
      audit: new MemoryAudit(),
      clock: new FakeClock(Date.now()),
      log: silentLog,
    });
    const [first] = (await selfOps.list('erp')).items;
    await expect(
      selfOps.restore({ db: 'erp', backupId: first!.id, requestedBy: 'U0BOB' }),
    ).rejects.toMatchObject({
      code: 'restore_not_possible',
    });
  });
});
