import { type Clock, systemClock } from '../../src/clock.js';
import type { Database } from '../../src/db/pools.js';
import { type Collected, createCollector } from './collect.js';
import { timeoutError } from './db-errors.js';
import { maskedColumns } from './mask.js';
import { readMysql } from './run-mysql.js';
import { readPostgres } from './run-postgres.js';
import { explainMysqlParseError } from './syntax-mysql.js';
import type { CheckedStatement, GuardOptions } from './types.js';

/** Rows kept as objects: enough for the inline table or the preview above a CSV. */
export const KEEP_ROWS = 50;
/**
 * dockside's own deadline is the statement timeout plus this margin: the server's
 * timeout should answer first, this one answers even when the driver never settles.
 */
export const DEADLINE_MARGIN_MS = 2_000;

export interface QueryResult extends Collected {
  database: string;
  sql: string;
  durationMs: number;
}

export function guardOptions(db: Database): GuardOptions {
  return {
    database: db.name,
    maskColumns: db.config.mask_columns,
    allowFunctions: db.config.allow_functions,
    maskPredicates: db.config.mask_predicates,
  };
}

/** Layer 1 for the database's dialect; throws `query_refused` (or `query_failed` for syntax). */
export async function checkStatement(db: Database, sql: string): Promise<CheckedStatement> {
  // The parsers are large (node-sql-parser alone is ~15 MB); load them with the first query.
  if (db.engine === 'postgres') {
    const { checkPostgres } = await import('./guard-postgres.js');
    return checkPostgres(sql, guardOptions(db));
  }
  const { checkMysql, MysqlParseError } = await import('./guard-mysql.js');
  try {
    return checkMysql(sql, guardOptions(db));
  } catch (err) {
    if (err instanceof MysqlParseError) return explainMysqlParseError(db, sql, err);
    throw err;
  }
}

/**
 * Runs one read-only statement through every layer and returns the masked, cut, capped
 * result. A hard deadline answers (and destroys the connection) even if the driver
 * never settles.
 */
export async function runQuery(db: Database, sql: string, clock: Clock = systemClock): Promise<QueryResult> {
  const started = clock.now();
  const checked = await checkStatement(db, sql);
  const collector = createCollector({
    maxRows: db.config.max_rows,
    keepRows: KEEP_ROWS,
    maxResultBytes: db.config.max_result_bytes,
    maxCellBytes: db.config.max_cell_bytes,
    mask: (columns) => maskedColumns(columns, checked.mask, db.config.mask_columns),
  });
  const controller = new AbortController();
  const options = { maxCellBytes: db.config.max_cell_bytes, signal: controller.signal };
  const reading =
    db.engine === 'postgres'
      ? readPostgres(db, checked, collector, options)
      : readMysql(db, checked, collector, options);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        timeoutError({
          database: db.name,
          endpoint: db.endpoint,
          sql: checked.sql,
          timeoutMs: db.config.statement_timeout_ms,
        }),
      );
    }, db.config.statement_timeout_ms + DEADLINE_MARGIN_MS);
  });
  // After the deadline the reader may still reject (its connection was destroyed); nobody waits for it.
  reading.catch(() => undefined);
  try {
    await Promise.race([reading, deadline]);
  } finally {
    clearTimeout(timer);
  }
  return { ...collector.result(), database: db.name, sql: checked.sql, durationMs: clock.now() - started };
}
