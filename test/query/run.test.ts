import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryCommand } from '../../commands/query.js';
import { counts, describe as describeTable, tables } from '../../handlers/query/catalog.js';
import { runQuery } from '../../handlers/query/run.js';
import type { DatabaseConfig } from '../../src/config/schema.js';
import { createDatabasePools, type DatabasePools } from '../../src/db/pools.js';
import { isDocksideError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { BIG_ROWS, createFixture, type Engine, type Fixture } from './fixtures.js';
import { fakeContext, visibleText } from './helpers.js';

const log = createLogger({ level: 'silent' });

describe.each<Engine>(['postgres', 'mysql'])('/query on %s', (engine) => {
  let fx: Fixture;
  let pools: DatabasePools;
  let databases: Record<string, DatabaseConfig>;

  beforeAll(async () => {
    fx = await createFixture(engine);
    databases = {
      main: fx.dbConfig({ url: fx.readOnlyUrl }),
      loose: fx.dbConfig({ url: fx.readOnlyUrl, mask_predicates: 'allow' }),
      small: fx.dbConfig({ url: fx.readOnlyUrl, max_rows: 10, statement_timeout_ms: 5000 }),
      quick: fx.dbConfig({ url: fx.readOnlyUrl, statement_timeout_ms: 500 }),
      csv: fx.dbConfig({ url: fx.readOnlyUrl, max_rows: 5000 }),
    };
    pools = createDatabasePools(databases, log);
  });
  afterAll(async () => {
    await pools?.close();
    await fx?.drop();
  });

  async function command(text: string) {
    const f = fakeContext(databases, text);
    const cmd = queryCommand({ pools });
    const outcome = await cmd.run(f.ctx, cmd.parse(text, f.config));
    return { ...f, outcome };
  }

  it('masks configured columns through aliases, expressions and SELECT *, and shows NULL and binary sizes', async () => {
    const aliased = await command(
      'loose SELECT u.email AS e, upper(u.phone) AS p, u.name, u.avatar FROM users u ORDER BY u.id',
    );
    const star = await command('main SELECT * FROM users ORDER BY id');
    for (const r of [aliased, star]) {
      const seen = visibleText(r.posted[0] ?? { text: '' });
      expect(seen).toContain('Ada');
      expect(seen).not.toMatch(/example\.com|\+44 20|hash-ada/i);
      expect(seen).toContain('[masked]');
      expect(seen).toContain('binary 100 bytes');
      expect(r.logs.join('\n')).not.toMatch(/example\.com|Ada/);
      expect(JSON.stringify(r.outcome)).not.toMatch(/example\.com|Grace/);
    }
    expect(visibleText(aliased.posted[0] ?? { text: '' })).toContain('masked: e, p');
    const nulls = await command('main SELECT id, note FROM orders ORDER BY id');
    expect(visibleText(nulls.posted[0] ?? { text: '' })).toMatch(/2 +\| NULL/);
  });

  it('returns an outcome for the audit with SQL, row count, duration and database', async () => {
    const r = await command('main SELECT id, name FROM users ORDER BY id');
    expect(r.outcome).toMatchObject({
      result: 'succeeded',
      detail: expect.stringMatching(/^3 rows in \d+ ms$/),
      data: {
        database: 'main',
        sql: 'SELECT id, name FROM users ORDER BY id',
        rows: 3,
        capped: false,
        csv: false,
      },
    });
    expect(r.posted[0]?.text).toMatch(/^\*main\* · 3 rows in \d+ ms$/);
  });

  it('stops reading at max_rows on a billion-row join instead of loading it', async () => {
    const started = Date.now();
    const r = await command('small SELECT a.n, b.n AS m FROM big a, big b, big c');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r.outcome?.data).toMatchObject({ rows: 10, capped: true });
    expect(r.posted[0]?.text).toContain('stopped at max_rows (10)');
    // The connection that stopped mid-result is not handed to the next query.
    for (let i = 0; i < 5; i++) {
      const next = await command(`small SELECT ${i} AS i`);
      expect(next.outcome?.data).toMatchObject({ rows: 1 });
    }
    const exact = await command('small SELECT n FROM big ORDER BY n LIMIT 10');
    expect(exact.outcome?.data).toMatchObject({ rows: 10, capped: false });
  });

  it('sends large results as a CSV upload with the first rows inline, masked', async () => {
    const r = await command('csv SELECT b.n, u.email AS contact FROM big b, users u ORDER BY b.n, u.id');
    expect(r.posted).toHaveLength(0);
    expect(r.uploads).toHaveLength(1);
    const { channel, file } = r.uploads[0] ?? { channel: '', file: { filename: '', content: '' } };
    expect(channel).toBe('C0123456789');
    expect(file.filename).toMatch(/^csv-.*\.csv$/);
    const csv = file.content.toString();
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('n,contact');
    expect(lines).toHaveLength(BIG_ROWS * 3 + 1);
    expect(lines[1]).toBe('1,[masked]');
    expect(csv).not.toContain('example.com');
    expect(file.initialComment).toContain('3,000 rows');
    expect(file.initialComment).toContain('First 10 rows');
    expect(r.outcome?.data).toMatchObject({ rows: 3000, csv: true });
  });

  it('ends slow queries with the statement timeout and names the limit', async () => {
    const sql = engine === 'postgres' ? 'SELECT pg_sleep(10)' : 'SELECT SLEEP(10)';
    const started = Date.now();
    const err = await runQuery(pools.get('quick'), sql).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(isDocksideError(err, 'query_timeout')).toBe(true);
    expect((err as Error).message).toBe(
      'The query was stopped after 500 ms (statement_timeout_ms in dockside.yml).',
    );
    const after = await runQuery(pools.get('quick'), 'SELECT 1 AS ok');
    expect(after.rowCount).toBe(1);
  });

  it("shows the database's syntax message and position", async () => {
    const err = await runQuery(pools.get('main'), 'SELECT * FORM users').catch((e: unknown) => e);
    expect(isDocksideError(err, 'query_failed')).toBe(true);
    if (engine === 'postgres') {
      expect((err as Error).message).toBe('syntax error at or near "FORM" (at position 10)');
    } else {
      expect((err as Error).message).toMatch(/error in your SQL syntax.*near 'FORM users' at line 1/);
    }
    const unknown = await runQuery(pools.get('main'), 'SELECT nope FROM users').catch((e: unknown) => e);
    expect(isDocksideError(unknown, 'query_failed')).toBe(true);
    expect((unknown as Error).message).toMatch(
      engine === 'postgres' ? /^column "nope" does not exist \(at position 8\)$/ : /Unknown column 'nope'/,
    );
  });

  it('gives a clear error without the connection string when the database is unreachable', async () => {
    const secret = 'S3cretPassw0rd';
    const scheme = engine === 'postgres' ? 'postgres' : 'mysql';
    const down = createDatabasePools(
      { gone: fx.dbConfig({ url: `${scheme}://dockside:${secret}@127.0.0.1:1/app?sslmode=disable` }) },
      log,
    );
    const err = await runQuery(down.get('gone'), 'SELECT 1').catch((e: unknown) => e);
    await down.close();
    expect(isDocksideError(err, 'db_unreachable')).toBe(true);
    expect((err as Error).message).toBe(
      'Could not connect to database "gone" at 127.0.0.1:1: connection refused.',
    );
    expect(JSON.stringify({ m: (err as Error).message, h: (err as { hint?: string }).hint })).not.toContain(
      secret,
    );
  });

  it('lists tables, counts rows (exact for small tables) and describes a table', async () => {
    const db = pools.get('main');
    const t = await tables(db);
    const names = t.sections[0]?.rows.map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining(['big', 'orders', 'users']));
    const c = await counts(db);
    expect(c.sections[0]?.rows).toEqual(
      expect.arrayContaining([
        ['users', '3', 'exact'],
        ['big', String(BIG_ROWS), 'exact'],
      ]),
    );
    const d = await describeTable(db, 'users');
    const cols = d.sections[0]?.rows.map((r) => [r[0], r[2]]);
    expect(cols).toEqual(
      expect.arrayContaining([
        ['id', 'not null'],
        ['email', 'null'],
      ]),
    );
    expect(JSON.stringify(d.sections[1]?.rows)).toContain('users_email_idx');
    const missing = await describeTable(db, 'nosuch').catch((e: unknown) => e);
    expect(isDocksideError(missing, 'query_failed')).toBe(true);
    expect((missing as Error).message).toBe('There is no table or view "nosuch" in database "main".');
  });

  it('posts catalog answers in the channel', async () => {
    const r = await command('main counts');
    expect(visibleText(r.posted[0] ?? { text: '' })).toMatch(/users +\| 3 +\| exact/);
  });

  it('refuses new work once the pools are closed', async () => {
    const p = createDatabasePools({ x: fx.dbConfig() }, log);
    await runQuery(p.get('x'), 'SELECT 1');
    await p.close();
    expect(() => p.get('x')).toThrow(/shutting down/);
  });
});
