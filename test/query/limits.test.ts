import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryCommand } from '../../commands/query.js';
import { createCollector } from '../../handlers/query/collect.js';
import { DEADLINE_MARGIN_MS, runQuery } from '../../handlers/query/run.js';
import { readMysql } from '../../handlers/query/run-mysql.js';
import { readPostgres } from '../../handlers/query/run-postgres.js';
import type { CheckedStatement } from '../../handlers/query/types.js';
import type { DatabaseConfig } from '../../src/config/schema.js';
import { mysqlPoolOptions, pgPoolConfig } from '../../src/db/connection-options.js';
import { createDatabasePools, type DatabasePools } from '../../src/db/pools.js';
import { isDocksideError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { attempt } from './attempt.js';
import { createFixture, type Engine, type Fixture } from './fixtures.js';
import { fakeContext } from './helpers.js';

const log = createLogger({ level: 'silent' });

/** A proxy that forwards until frozen, then holds every connection open without passing a byte. */
async function stallingProxy(port: number) {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    client.on('data', (d) => {
      if (!frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!frozen) client.write(d);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function forged(sql: string, kind: 'select' | 'other' = 'select'): CheckedStatement {
  return {
    sql,
    kind,
    mask: { positions: new Set(), names: new Set(), derived: false, derivedRelations: new Set() },
    touchesMasked: false,
    relations: [],
  };
}

function collector() {
  return createCollector({
    maxRows: 10,
    keepRows: 10,
    maxResultBytes: 1e6,
    maxCellBytes: 1000,
    mask: (cols) => cols.map(() => false),
  });
}

describe.each<Engine>(['postgres', 'mysql'])('bounded work and clean sessions on %s', (engine) => {
  let fx: Fixture;
  let pools: DatabasePools;
  let databases: Record<string, DatabaseConfig>;

  beforeAll(async () => {
    fx = await createFixture(engine);
    databases = {
      main: fx.dbConfig({ url: fx.readOnlyUrl, statement_timeout_ms: 5000 }),
      tiny: fx.dbConfig({ url: fx.readOnlyUrl, max_result_bytes: 64 * 1024, max_rows: 5000 }),
      slow: fx.dbConfig({ url: fx.readOnlyUrl, statement_timeout_ms: 3000 }),
      huge: fx.dbConfig({ url: fx.readOnlyUrl, statement_timeout_ms: 30_000 }),
    };
    pools = createDatabasePools(databases, log);
  });
  afterAll(async () => {
    await pools?.close();
    await fx?.drop();
  });

  it('cuts a huge value on the server and says so in the answer', async () => {
    const sql =
      engine === 'postgres'
        ? "huge SELECT repeat('x', 50000000) AS big, 'small' AS s"
        : "huge SELECT REPEAT('x', 10000000) AS big, 'small' AS s";
    const seen = await attempt(pools, databases, sql);
    expect(seen.code).toBe('ok');
    expect(seen.shown).toContain('1 value cut at max_cell_bytes (16 KB)');
    const result = await runQuery(pools.get('huge'), sql.slice(5));
    const cell = result.rows[0]?.[0];
    expect(typeof cell === 'string' && Buffer.byteLength(cell)).toBeLessThanOrEqual(16_384 + 3);
    expect(result.rows[0]?.[1]).toBe('small');
    expect(result.cutCells).toBe(1);
  }, 60_000);

  it('stops a result at max_result_bytes and says so', async () => {
    const sql =
      engine === 'postgres'
        ? "tiny SELECT n, repeat('y', 1000) AS pad FROM big ORDER BY n"
        : "tiny SELECT n, REPEAT('y', 1000) AS pad FROM big ORDER BY n";
    const seen = await attempt(pools, databases, sql);
    expect(seen.code).toBe('ok');
    expect(seen.shown).toContain('stopped at max_result_bytes (64 KB of values)');
    const result = await runQuery(pools.get('tiny'), sql.slice(5));
    expect(result.capped).toBe('size');
    expect(result.rowCount).toBeGreaterThan(30);
    expect(result.rowCount).toBeLessThan(70);
  });

  it('answers at the deadline and destroys the connection when the server never replies', async () => {
    const real = new URL(fx.readOnlyUrl);
    const proxy = await stallingProxy(Number(real.port));
    real.port = String(proxy.port);
    const stuck = createDatabasePools(
      { stuck: fx.dbConfig({ url: real.toString(), statement_timeout_ms: 500 }) },
      log,
    );
    try {
      expect((await runQuery(stuck.get('stuck'), 'SELECT 1 AS warm')).rowCount).toBe(1);
      proxy.freeze();
      const started = Date.now();
      const err = await runQuery(stuck.get('stuck'), 'SELECT 2 AS hangs').catch((e: unknown) => e);
      const took = Date.now() - started;
      expect(isDocksideError(err, 'query_timeout')).toBe(true);
      expect(took).toBeGreaterThanOrEqual(500 + DEADLINE_MARGIN_MS - 50);
      expect(took).toBeLessThan(500 + DEADLINE_MARGIN_MS + 1500);
      proxy.thaw();
      // The stuck connection was destroyed, not handed to the next query.
      expect((await runQuery(stuck.get('stuck'), 'SELECT 3 AS after')).rows).toEqual([['3']]);
    } finally {
      proxy.close();
      await stuck.close();
    }
  });

  it('leaves no lock or setting behind for the next query on the same connection', async () => {
    const db = pools.get('main');
    const opts = { maxCellBytes: 1000, signal: new AbortController().signal };
    // Forged past the statement check, as if a bypass existed: the cleanup must still hold.
    if (db.engine === 'postgres') {
      await readPostgres(db, forged('SELECT pg_advisory_lock(4242)'), collector(), opts);
      const held = await fx.adminRows(
        "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242",
      );
      expect(held).toEqual([[0]]);
      const c = collector();
      await readPostgres(db, forged('SHOW statement_timeout', 'other'), c, opts);
      expect(c.result().rows).toEqual([['5s']]);
    } else {
      await readMysql(db, forged("SELECT GET_LOCK('dockside-clean', 0)"), collector(), opts);
      expect(await fx.adminRows("SELECT IS_USED_LOCK('dockside-clean')")).toEqual([[null]]);
      const c = collector();
      await readMysql(db, forged('SELECT @@max_statement_time'), c, opts);
      expect(Number(c.result().rows[0]?.[0])).toBe(5);
      // A statement without a result set settles and leaves a usable connection.
      const none = collector();
      await readMysql(db, forged('DO 1', 'other'), none, opts);
      expect(none.result().rowCount).toBe(0);
    }
    expect((await runQuery(db, 'SELECT 1 AS ok')).rowCount).toBe(1);
  });

  // standard_conforming_strings exists only on PostgreSQL. Registered per engine, never skipped.
  if (engine === 'postgres')
    it('reads strings as the lexer does even when the database default says otherwise', async () => {
      // With standard_conforming_strings off the server would read 'a\' as unterminated.
      await fx.admin(`ALTER DATABASE ${fx.name} SET standard_conforming_strings = off`);
      const fresh = createDatabasePools({ x: fx.dbConfig({ url: fx.readOnlyUrl }) }, log);
      try {
        expect((await runQuery(fresh.get('x'), "SELECT 'a\\' AS s")).rows).toEqual([['a\\']]);
      } finally {
        await fresh.close();
        await fx.admin(`ALTER DATABASE ${fx.name} RESET standard_conforming_strings`);
      }
    });

  it('closes idle connections after a minute', () => {
    const config = fx.dbConfig();
    if (engine === 'postgres') expect(pgPoolConfig('x', config).idleTimeoutMillis).toBe(60_000);
    else expect(mysqlPoolOptions('x', config)).toMatchObject({ maxIdle: 0, idleTimeout: 60_000 });
  });

  it("never makes one person wait behind another person's queue", async () => {
    const cmd = queryCommand({ pools });
    const sleep = engine === 'postgres' ? 'SELECT pg_sleep(0.6)' : 'SELECT SLEEP(0.6)';
    const send = (user: string, sql: string) => {
      const f = fakeContext(databases, `slow ${sql}`);
      f.ctx.invocation.user = user;
      return cmd.run(f.ctx, cmd.parse(`slow ${sql}`, f.config)).then(
        () => 'ok',
        (e: unknown) => (e as Error).message,
      );
    };
    const flood = Array.from({ length: 12 }, () => send('U0FLOOD', sleep));
    const started = Date.now();
    expect(await send('U0OTHER', 'SELECT 1')).toBe('ok');
    expect(Date.now() - started).toBeLessThan(1000);
    const outcomes = await Promise.all(flood);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(7);
    expect(outcomes.filter((o) => o.startsWith('You have 5 queries waiting and 2 running'))).toHaveLength(5);
  });
});
