import type pg from 'pg';
import { acquirePg, type PgDatabase } from '../../src/db/pools.js';
import { type ErrorContext, pgError } from './db-errors.js';
import type { RowReader } from './read.js';
import type { Cell, CheckedStatement } from './types.js';

const BYTEA_OID = 17;
const BATCH = 250;
const DECLARE = 'DECLARE dockside_cursor NO SCROLL CURSOR FOR ';

// queryMode 'extended' sends Parse/Bind/Execute: the server accepts exactly one statement
// per message, so nothing the guard missed can ride along after a semicolon.
type ExtendedQuery = pg.QueryArrayConfig & { queryMode: 'extended' };

function extended(text: string): ExtendedQuery {
  return { text, rowMode: 'array', queryMode: 'extended' };
}

function toCell(value: unknown, field: pg.FieldDef | undefined): Cell {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (field?.dataTypeID === BYTEA_OID)
    return { binaryBytes: text.startsWith('\\x') ? (text.length - 2) / 2 : text.length };
  return text;
}

/**
 * Layers 2 and 3 for PostgreSQL: a read-only transaction that is always rolled back, on
 * a connection whose statement_timeout was set at start-up. A SELECT is read through a
 * cursor, so the server produces only the rows asked for and at most max_rows + 1 are read.
 */
export async function readPostgres(
  db: PgDatabase,
  checked: CheckedStatement,
  reader: RowReader,
): Promise<void> {
  const ctx: ErrorContext = {
    database: db.name,
    endpoint: db.endpoint,
    sql: checked.sql,
    timeoutMs: db.config.statement_timeout_ms,
    prefixLength: checked.kind === 'select' ? DECLARE.length : 0,
  };
  const client = await acquirePg(db);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    if (checked.kind === 'select') {
      await client.query(extended(`${DECLARE}${checked.sql}`));
      for (let wanted = reader.wanted(); wanted > 0; wanted = reader.wanted()) {
        const res = await client.query(
          extended(`FETCH FORWARD ${Math.min(BATCH, wanted)} FROM dockside_cursor`),
        );
        reader.columns(res.fields.map((f) => f.name));
        for (const row of res.rows) reader.row(row.map((v, i) => toCell(v, res.fields[i])));
        if (res.rows.length < Math.min(BATCH, wanted)) break;
      }
    } else {
      // EXPLAIN and SHOW cannot be declared as cursors; their output is small.
      const res = await client.query(extended(checked.sql));
      reader.columns(res.fields.map((f) => f.name));
      for (const row of res.rows) {
        if (reader.wanted() === 0) break;
        reader.row(row.map((v, i) => toCell(v, res.fields[i])));
      }
    }
  } catch (err) {
    throw pgError(err, ctx);
  } finally {
    try {
      await client.query('ROLLBACK');
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
    }
    // A client whose rollback failed is discarded instead of going back to the pool.
    client.release(broken);
  }
}
