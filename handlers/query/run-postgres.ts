import type pg from 'pg';
import { acquirePg, type PgDatabase } from '../../src/db/pools.js';
import { type ErrorContext, pgError } from './db-errors.js';
import type { ColumnMeta } from './mask.js';
import type { RowReader } from './read.js';
import type { Cell, CheckedStatement } from './types.js';
import { checkPgViews } from './views.js';

const BYTEA_OID = 17;
const PROBE_PREFIX = 'SELECT * FROM (';
const MAX_BATCH_ROWS = 250;
/** Worst-case bytes one FETCH may bring: batches are sized by bytes, not rows. */
const BATCH_BYTES = 16 * 1024 * 1024;

// queryMode 'extended' sends Parse/Bind/Execute: the server accepts exactly one statement
// per message, so nothing the guard missed can ride along after a semicolon.
type ExtendedQuery = pg.QueryArrayConfig & { queryMode: 'extended' };

function extended(text: string, values?: unknown[]): ExtendedQuery {
  return { text, rowMode: 'array', queryMode: 'extended', ...(values ? { values } : {}) };
}

function toCell(value: unknown, binary: boolean): Cell {
  if (value === null || value === undefined) return null;
  return binary ? { binaryBytes: Number(value) } : String(value);
}

/** Table and column of origin of each output column, from the row description and pg_attribute. */
async function origins(client: pg.PoolClient, fields: pg.FieldDef[]): Promise<ColumnMeta[]> {
  const keyed = fields.filter((f) => f.tableID !== 0 && f.columnID > 0);
  const names = new Map<string, string>();
  if (keyed.length > 0) {
    const res = await client.query(
      extended(
        `SELECT a.attrelid::text, a.attnum::text, a.attname::text
           FROM unnest($1::oid[], $2::int2[]) AS k(rel, num)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = k.rel AND a.attnum = k.num`,
        [keyed.map((f) => f.tableID), keyed.map((f) => f.columnID)],
      ),
    );
    for (const [rel, num, name] of res.rows as string[][]) names.set(`${rel}:${num}`, String(name));
  }
  return fields.map((f) => {
    const column = names.get(`${f.tableID}:${f.columnID}`);
    return { name: f.name, origin: column ? { table: String(f.tableID), column } : null };
  });
}

/**
 * The user's SELECT inside a wrapper that cuts every value on the server, so no value
 * larger than the cut ever reaches this process (a 300 MB cell arrives as a few KB);
 * bytea arrives as its size only.
 */
function wrapper(sql: string, fields: pg.FieldDef[], cutChars: number): string {
  const names = fields.map((_, i) => `c${i + 1}`);
  const exprs = fields.map((f, i) =>
    f.dataTypeID === BYTEA_OID ? `octet_length(q.${names[i]})` : `left(q.${names[i]}::text, ${cutChars})`,
  );
  return `DECLARE dockside_cursor NO SCROLL CURSOR FOR SELECT ${exprs.join(', ') || 'NULL'} FROM (${sql}) AS q(${names.join(', ')})`;
}

export interface ReadOptions {
  maxCellBytes: number;
  signal: AbortSignal;
}

/**
 * Layers 2 and 3 for PostgreSQL: a read-only transaction that is always rolled back, on
 * a connection whose statement_timeout was set at start-up, cleaned (DISCARD ALL) before
 * it goes back to the pool and destroyed when that fails or the deadline passes.
 */
export async function readPostgres(
  db: PgDatabase,
  checked: CheckedStatement,
  reader: RowReader,
  options: ReadOptions,
): Promise<void> {
  const ctx: ErrorContext = {
    database: db.name,
    endpoint: db.endpoint,
    sql: checked.sql,
    timeoutMs: db.config.statement_timeout_ms,
    sensitive: checked.touchesMasked,
    prefixLength: checked.kind === 'select' ? PROBE_PREFIX.length : 0,
  };
  const client = await acquirePg(db);
  let released = false;
  const destroy = () => {
    if (released) return;
    released = true;
    client.release(new Error('destroyed'));
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };
  if (options.signal.aborted) return destroy();
  options.signal.addEventListener('abort', destroy, { once: true });
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    await checkPgViews(client, checked.relations, db.config.mask_columns);
    if (checked.kind === 'select') {
      const probe = await client.query(extended(`${PROBE_PREFIX}${checked.sql}) AS q LIMIT 0`));
      const fields = probe.fields;
      const binary = fields.map((f) => f.dataTypeID === BYTEA_OID);
      reader.columns(await origins(client, fields));
      // left() counts characters: one more than the cut tells a cut value apart.
      const cutChars = options.maxCellBytes + 1;
      await client.query(extended(wrapper(checked.sql, fields, cutChars)));
      const worstRow = Math.max(1, fields.length) * cutChars * 4;
      const batch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(BATCH_BYTES / worstRow)));
      for (let wanted = reader.wanted(); wanted > 0; wanted = reader.wanted()) {
        const n = Math.min(batch, wanted);
        const res = await client.query(extended(`FETCH FORWARD ${n} FROM dockside_cursor`));
        for (const row of res.rows) reader.row(row.map((v, i) => toCell(v, binary[i] ?? false)));
        if (res.rows.length < n) break;
      }
    } else {
      // EXPLAIN and SHOW cannot be declared as cursors; their output is small.
      const res = await client.query(extended(checked.sql));
      reader.columns(res.fields.map((f) => ({ name: f.name, origin: null })));
      for (const row of res.rows) {
        if (reader.wanted() === 0) break;
        reader.row(row.map((v) => toCell(v, false)));
      }
    }
  } catch (err) {
    throw pgError(err, ctx);
  } finally {
    options.signal.removeEventListener('abort', destroy);
    if (!released)
      await clean(client).then(() => {
        released = true;
      }, destroy);
  }
}

/** Rolls back and forgets the session (advisory locks, settings, prepared statements, temp tables). */
async function clean(client: pg.PoolClient): Promise<void> {
  await client.query('ROLLBACK');
  await client.query('DISCARD ALL');
  client.release();
}
