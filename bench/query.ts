import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { queryCommand } from '../commands/query.js';
import type { CommandContext } from '../commands/types.js';
import { runQuery } from '../handlers/query/run.js';
import { Config, DatabaseConfig } from '../src/config/schema.js';
import { createDatabasePools } from '../src/db/pools.js';
import { createLogger } from '../src/logger.js';
import { renderQueryResult } from '../src/render/query.js';
import { NODE_FLAGS, rssOf, tsLoader } from './util.js';

const run = promisify(execFile);
const ROWS = 100_000;
const CSV_ROWS = 50_000;
const REPEAT = 5;
const SQL = 'SELECT * FROM bench_rows';

type Engine = 'postgres' | 'mysql';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return Math.round(median(times));
}

/** Peak RSS growth over the baseline while fn runs, sampled every 5 ms. */
async function peakRssGrowth(fn: () => Promise<unknown>): Promise<{ ms: number; mb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms: Math.round(ms), mb: Math.round(((peak - base) / 1024 / 1024) * 10) / 10 };
}

async function setUp(engine: Engine, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine === 'postgres') {
    const root = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await root.connect();
    await root.query(`CREATE DATABASE ${name}`);
    const db = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${name}` });
    await db.connect();
    await db.query(
      `CREATE TABLE bench_rows (id int PRIMARY KEY, name text, email text, payload text, created_at timestamptz);
       INSERT INTO bench_rows SELECT g, 'user ' || g, 'user' || g || '@example.com', repeat('x', 60), '2024-01-01'
         FROM generate_series(1, ${ROWS}) g;
       ANALYZE bench_rows;`,
    );
    await db.end();
    return {
      url: `postgres://postgres@127.0.0.1:5432/${name}`,
      drop: async () => {
        await root.query(`DROP DATABASE ${name} WITH (FORCE)`);
        await root.end();
      },
    };
  }
  const root = await mysql.createConnection({ host: '127.0.0.1', user: 'root', multipleStatements: true });
  await root.query(
    `CREATE DATABASE ${name}; USE ${name};
     CREATE TABLE bench_rows (id INT PRIMARY KEY, name VARCHAR(40), email VARCHAR(60), payload VARCHAR(80), created_at DATETIME);
     INSERT INTO bench_rows SELECT seq, CONCAT('user ', seq), CONCAT('user', seq, '@example.com'), REPEAT('x', 60),
       '2024-01-01 00:00:00' FROM seq_1_to_${ROWS};`,
  );
  return {
    url: `mysql://root@127.0.0.1:3306/${name}`,
    drop: async () => {
      await root.query(`DROP DATABASE ${name}`);
      await root.end();
    },
  };
}

function client(engine: Engine, name: string, sql: string): () => Promise<unknown> {
  return engine === 'postgres'
    ? () =>
        run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', name, '-X', '-q', '-c', sql], {
          maxBuffer: 1 << 30,
        })
    : () => run('mysql', ['-h', '127.0.0.1', '-u', 'root', name, '-e', sql], { maxBuffer: 1 << 30 });
}

async function benchEngine(engine: Engine): Promise<Record<string, number | string>> {
  const name = `dq_bench_${randomBytes(3).toString('hex')}`;
  const { url, drop } = await setUp(engine, name);
  const base = DatabaseConfig.parse({
    engine,
    url,
    mask_columns: ['email'],
    max_rows: 200,
    statement_timeout_ms: 60_000,
  });
  const pools = createDatabasePools(
    { capped: base, csv: { ...base, max_rows: CSV_ROWS } },
    createLogger({ level: 'silent' }),
  );
  try {
    const botPath = (db: string) => async () => {
      const d = pools.get(db);
      const result = await runQuery(d, SQL);
      return renderQueryResult(result, limitsOf(d.config), new Date());
    };
    const rss = await rssInChild(engine, url);
    const hugeCell = engine === 'postgres' ? await hugeCellInChild(url) : null;
    const fairness = await secondUserWait(engine, { ...base, statement_timeout_ms: 10_000 });
    const csv = { ms: await timed(botPath('csv')) };
    const capped = await timed(botPath('capped'));
    const clientAll = await timed(client(engine, name, SQL));
    const clientCsv = await timed(client(engine, name, `${SQL} LIMIT ${CSV_ROWS}`));
    const tool = engine === 'postgres' ? 'psql -c' : 'mysql -e';
    return {
      [`${engine}.capped_200_ms`]: capped,
      [`${engine}.client_all_rows_ms (${tool})`]: clientAll,
      [`${engine}.capped_vs_client`]: Math.round((capped / clientAll) * 100) / 100,
      [`${engine}.csv_50k_ms`]: csv.ms,
      [`${engine}.client_50k_ms (${tool})`]: clientCsv,
      [`${engine}.csv_50k_peak_rss_growth_mb (first query after start)`]: rss.first,
      [`${engine}.csv_50k_peak_rss_growth_mb (next query)`]: rss.next,
      ...(hugeCell === null ? {} : { [`${engine}.huge_cell_300mb_peak_rss_mb (whole process)`]: hugeCell }),
      [`${engine}.second_user_wait_ms (first user: 12 slow queries)`]: fairness,
    };
  } finally {
    await pools.close();
    await drop();
  }
}

/**
 * /query on a 100,000-row table: SELECT * capped at max_rows 200, and the CSV path at
 * 50,000 rows, next to psql -c / mysql -e of the same query. Targets: capped under 2x
 * the client's time; peak RSS growth under 50 MB at 50,000 rows.
 */
export async function benchQuery(): Promise<Record<string, number | string>> {
  const figures: Record<string, number | string> = {};
  for (const engine of ['postgres', 'mysql'] as const) Object.assign(figures, await benchEngine(engine));
  for (const [k, v] of Object.entries(figures)) console.log(`query  ${k.padEnd(48)} ${v}`);
  for (const engine of ['postgres', 'mysql'] as const) {
    const capped = Number(figures[`${engine}.capped_200_ms`]);
    const client = Number(
      figures[`${engine}.client_all_rows_ms (${engine === 'postgres' ? 'psql -c' : 'mysql -e'})`],
    );
    const growth = Math.max(
      Number(figures[`${engine}.csv_50k_peak_rss_growth_mb (first query after start)`]),
      Number(figures[`${engine}.csv_50k_peak_rss_growth_mb (next query)`]),
    );
    const wait = Number(figures[`${engine}.second_user_wait_ms (first user: 12 slow queries)`]);
    const checks: Array<[string, boolean]> = [
      [`${engine}: capped query ${capped} ms < 2x client ${client} ms`, capped < 2 * client],
      [`${engine}: peak RSS growth at 50,000 rows ${growth} MB < 50 MB`, growth < 50],
      [`${engine}: second user's wait ${wait} ms < 5000 ms while the first has 12 slow queries`, wait < 5000],
    ];
    const huge = figures[`${engine}.huge_cell_300mb_peak_rss_mb (whole process)`];
    if (huge !== undefined) {
      checks.push([`${engine}: peak RSS ${huge} MB < 400 MB for a 300 MB cell`, Number(huge) < 400]);
    }
    for (const [text, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'} ${text}`);
  }
  return figures;
}

/**
 * RSS is measured in a fresh process that holds nothing but the bot's query path, so
 * the bench's own setup (and other bench cases) do not count as the bot's growth. The
 * parser (WebAssembly) and the pool connection are warmed with a one-row query first:
 * a running bot has both already.
 */
async function rssInChild(engine: Engine, url: string): Promise<{ first: number; next: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', ...NODE_FLAGS, ...tsLoader(), fileURLToPath(import.meta.url), '--rss-child', engine, url],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { first: number; next: number };
}

async function rssChild(engine: Engine, url: string): Promise<void> {
  const pools = createDatabasePools(
    {
      csv: DatabaseConfig.parse({
        engine,
        url,
        mask_columns: ['email'],
        max_rows: CSV_ROWS,
        statement_timeout_ms: 60_000,
      }),
    },
    createLogger({ level: 'silent' }),
  );
  const query = async () => {
    const d = pools.get('csv');
    const result = await runQuery(d, SQL);
    if (result.rowCount !== CSV_ROWS) throw new Error(`expected ${CSV_ROWS} rows, got ${result.rowCount}`);
    return renderQueryResult(result, limitsOf(d.config), new Date());
  };
  await runQuery(pools.get('csv'), 'SELECT id FROM bench_rows LIMIT 1');
  const first = await peakRssGrowth(query);
  const next = await peakRssGrowth(query);
  await pools.close();
  console.log(JSON.stringify({ first: first.mb, next: next.mb }));
}

function limitsOf(c: DatabaseConfig) {
  return { maxRows: c.max_rows, maxCellBytes: c.max_cell_bytes, maxResultBytes: c.max_result_bytes };
}

/**
 * `SELECT repeat('x', 300000000)` through the bot's query path in a fresh process: the
 * whole process's peak RSS (VmHWM), which must stay well under the 512 MB instance.
 */
async function hugeCellInChild(url: string): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    [...NODE_FLAGS, ...tsLoader(), fileURLToPath(import.meta.url), '--huge-child', url],
    { maxBuffer: 1 << 20 },
  );
  return Number(JSON.parse(stdout.trim().split('\n').pop() ?? '{}').peakMb);
}

async function hugeChild(url: string): Promise<void> {
  const pools = createDatabasePools(
    { huge: DatabaseConfig.parse({ engine: 'postgres', url, statement_timeout_ms: 120_000 }) },
    createLogger({ level: 'silent' }),
  );
  const d = pools.get('huge');
  const result = await runQuery(d, "SELECT repeat('x', 300000000) AS big");
  renderQueryResult(result, limitsOf(d.config), new Date());
  if (result.cutCells !== 1) throw new Error('the 300 MB value was not cut');
  await pools.close();
  console.log(JSON.stringify({ peakMb: Math.round(rssOf(process.pid).peakMb) }));
}

/** A command context with nowhere to post: the bench times the answer, not Slack. */
function benchContext(config: Config, user: string): CommandContext {
  const ignore = async () => undefined;
  return {
    invocation: { user, channel: 'C0BENCH', text: '', commandText: '/query', requestId: 'bench' },
    config,
    reply: { ephemeral: ignore, inChannel: async () => ({ channel: 'C0BENCH', ts: '1' }) },
    slack: {
      post: async () => ({ channel: 'C0BENCH', ts: '1' }),
      update: ignore,
      postEphemeral: ignore,
      uploadFile: ignore,
    },
    log: createLogger({ level: 'silent' }),
    auditId: 'bench',
  };
}

/**
 * One person queues 12 slow queries (2 run, 5 wait, 5 are refused); another person's
 * SELECT 1 is timed from the moment it is sent until its answer.
 */
async function secondUserWait(engine: Engine, db: DatabaseConfig): Promise<number> {
  const config = Config.parse({ channels: { ops: 'C0BENCH' }, databases: { slow: db } });
  const slowPools = createDatabasePools(config.databases, createLogger({ level: 'silent' }));
  const cmd = queryCommand({ pools: slowPools });
  const send = (user: string, sql: string) =>
    cmd.run(benchContext(config, user), cmd.parse(`slow ${sql}`, config)).catch(() => undefined);
  const sleep = engine === 'postgres' ? 'SELECT pg_sleep(2)' : 'SELECT SLEEP(2)';
  const flood = Array.from({ length: 12 }, () => send('U0FLOOD', sleep));
  await new Promise((r) => setTimeout(r, 100));
  const t = performance.now();
  await send('U0OTHER', 'SELECT 1');
  const waited = Math.round(performance.now() - t);
  await Promise.all(flood);
  await slowPools.close();
  return waited;
}

if (process.argv[2] === '--rss-child') {
  await rssChild(process.argv[3] as Engine, process.argv[4] ?? '');
} else if (process.argv[2] === '--huge-child') {
  await hugeChild(process.argv[3] ?? '');
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await benchQuery();
}
