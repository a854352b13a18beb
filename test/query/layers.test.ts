import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireMysql,
  acquirePg,
  createDatabasePools,
  type DatabasePools,
  mysqlQuery,
} from '../../src/db/pools.js';
import { checkWritable, writableWarning } from '../../src/db/writable.js';
import { createLogger } from '../../src/logger.js';
import { MYSQL_ATTEMPTS, POSTGRES_ATTEMPTS } from './corpus.js';
import { createFixture, type Fixture } from './fixtures.js';

/**
 * Each guard below the statement check, tested without the ones above it: what the
 * read-only transaction stops by itself (and what it does not, which is why the
 * statement check refuses those), the session timeout, and the writable-user warning.
 */
const log = createLogger({ level: 'silent' });
const DDL = /^\s*(DROP|ALTER|CREATE|TRUNCATE|RENAME)\b/i;

describe('PostgreSQL layers on their own', () => {
  let fx: Fixture;
  let pools: DatabasePools;
  let client: pg.Client;
  beforeAll(async () => {
    fx = await createFixture('postgres');
    pools = createDatabasePools(
      { admin: fx.dbConfig({ statement_timeout_ms: 500 }), ro: fx.dbConfig({ url: fx.readOnlyUrl }) },
      log,
    );
    client = new pg.Client({ connectionString: fx.adminUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await pools?.close();
    await fx?.drop();
  });

  async function underReadOnly(sql: string): Promise<{ stopped: boolean; code?: string }> {
    await client.query('BEGIN READ ONLY');
    try {
      await client.query(sql);
      return { stopped: false };
    } catch (err) {
      return { stopped: true, code: (err as { code?: string }).code };
    } finally {
      await client.query('ROLLBACK');
    }
  }

  it('layer 2: a read-only transaction alone stops every data-changing attempt, as a superuser', async () => {
    const before = await fx.checksum();
    const writes = POSTGRES_ATTEMPTS.filter((a) => a.writes);
    expect(writes.length).toBeGreaterThan(25);
    const results = [];
    for (const a of writes) results.push({ sql: a.sql, ...(await underReadOnly(a.sql)) });
    expect(results.filter((r) => !r.stopped)).toEqual([]);
    // Most are stopped by the read-only rule itself (25006), the rest by an error first.
    expect(results.filter((r) => r.code === '25006').length).toBeGreaterThan(writes.length * 0.7);
    expect(await fx.checksum()).toBe(before);
  });

  it('layer 2 does not stop side-effect functions, which is why the statement check refuses them', async () => {
    expect(await underReadOnly('SELECT pg_advisory_lock(42)')).toEqual({ stopped: false });
    await client.query('SELECT pg_advisory_unlock_all()');
    expect(await underReadOnly("SELECT set_config('work_mem', '1MB', false)")).toEqual({ stopped: false });
    expect(await underReadOnly("SELECT pg_read_file('/etc/hostname')")).toEqual({ stopped: false });
    // Writes a large object inside the transaction; only the rollback undoes it.
    expect(await underReadOnly("SELECT lo_import('/etc/hostname')")).toEqual({ stopped: false });
  });

  it('layer 3: pool sessions carry the statement timeout and end a slow statement without the other layers', async () => {
    const db = pools.get('admin');
    if (db.engine !== 'postgres') throw new Error('postgres expected');
    const c = await acquirePg(db);
    try {
      expect((await c.query('SHOW statement_timeout')).rows[0]).toEqual({ statement_timeout: '500ms' });
      const started = Date.now();
      const err = await c.query('SELECT pg_sleep(10)').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('57014');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      c.release();
    }
  });

  it('layer 4: warns when the configured user can write, and not for a read-only user', async () => {
    const admin = await checkWritable(pools.get('admin'));
    expect(admin.writable).toBe(true);
    expect(admin.reasons).toContain('the user is a superuser');
    expect(writableWarning(admin)).toMatch(
      /^Database "admin": the configured user can write \(.+\)\. Give dockside a read-only user/,
    );
    const ro = await checkWritable(pools.get('ro'));
    expect(ro).toMatchObject({ database: 'ro', writable: false, reasons: [] });
    expect(writableWarning(ro)).toBeNull();
  });

  it('layer 4 names table grants that make a non-superuser writable', async () => {
    const roUser = new URL(fx.readOnlyUrl).username;
    await fx.admin(`GRANT UPDATE ON orders TO ${roUser}`);
    try {
      const check = await checkWritable(pools.get('ro'));
      expect(check).toMatchObject({
        database: 'ro',
        writable: true,
        reasons: ['write privileges on public.orders'],
      });
    } finally {
      await fx.admin(`REVOKE UPDATE ON orders FROM ${roUser}`);
    }
  });
});

describe('MySQL/MariaDB layers on their own', () => {
  let fx: Fixture;
  let pools: DatabasePools;
  let conn: mysql.Connection;
  beforeAll(async () => {
    fx = await createFixture('mysql');
    pools = createDatabasePools(
      { admin: fx.dbConfig({ statement_timeout_ms: 500 }), ro: fx.dbConfig({ url: fx.readOnlyUrl }) },
      log,
    );
    conn = await mysql.createConnection({ uri: fx.adminUrl, multipleStatements: false });
  });
  afterAll(async () => {
    await conn?.end();
    await pools?.close();
    await fx?.drop();
  });

  async function underReadOnly(sql: string): Promise<{ stopped: boolean; errno?: number }> {
    await conn.query('START TRANSACTION READ ONLY');
    try {
      await conn.query(sql);
      return { stopped: false };
    } catch (err) {
      return { stopped: true, errno: (err as { errno?: number }).errno };
    } finally {
      await conn.query('ROLLBACK');
    }
  }

  it('layer 2: a read-only transaction (one statement per call) stops every DML and locking-read attempt', async () => {
    const before = await fx.checksum();
    const dml = MYSQL_ATTEMPTS.filter((a) => a.writes && !DDL.test(a.sql));
    expect(dml.length).toBeGreaterThan(8);
    const results = [];
    for (const a of dml) results.push({ sql: a.sql, ...(await underReadOnly(a.sql)) });
    expect(results.filter((r) => !r.stopped)).toEqual([]);
    expect(await fx.checksum()).toBe(before);
  });

  it('layer 2 does not stop DDL (implicit commit) or named locks, which is why the statement check refuses them', async () => {
    expect(await underReadOnly('CREATE TABLE layer2_gap (a INT)')).toEqual({ stopped: false });
    await conn.query('DROP TABLE layer2_gap');
    expect(await underReadOnly("SELECT GET_LOCK('dockside-layer2', 0)")).toEqual({ stopped: false });
    await conn.query("SELECT RELEASE_LOCK('dockside-layer2')");
    expect(await underReadOnly('SELECT * FROM users LOCK IN SHARE MODE')).toEqual({ stopped: false });
  });

  it('layer 3: pool sessions carry the statement time limit and end a slow statement without the other layers', async () => {
    const db = pools.get('admin');
    if (db.engine !== 'mysql') throw new Error('mysql expected');
    const c = await acquireMysql(db);
    try {
      const [row] = await mysqlQuery<string[]>(c, 'SELECT @@max_statement_time');
      expect(Number(row?.[0])).toBe(0.5);
      const started = Date.now();
      const err = await mysqlQuery(c, 'SELECT SLEEP(10) FROM users').catch((e: unknown) => e);
      expect((err as { errno?: number }).errno).toBe(1969);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      c.release();
    }
  });

  it('layer 4: warns when the configured user can write, and not for a read-only user', async () => {
    const admin = await checkWritable(pools.get('admin'));
    expect(admin.writable).toBe(true);
    expect(admin.reasons.join(' ')).toMatch(/INSERT.*\(global\)/);
    const ro = await checkWritable(pools.get('ro'));
    expect(ro).toMatchObject({ database: 'ro', writable: false, reasons: [] });
    expect(writableWarning(ro)).toBeNull();
  });
});
