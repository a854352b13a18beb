import { type Clock, systemClock } from '../../src/clock.js';
import type { Database } from '../../src/db/pools.js';
import { type Collected, createCollector } from './collect.js';
import { maskedColumns } from './mask.js';
import { readMysql } from './run-mysql.js';
import { readPostgres } from './run-postgres.js';
import { explainMysqlParseError } from './syntax-mysql.js';
import type { CheckedStatement } from './types.js';

/** The CSV stops growing here even below max_rows: the bot runs on 512 MB instances. */
export const MAX_CSV_BYTES = 64 * 1024 * 1024;
/** Rows kept as objects: enough for the inline table or the preview above a CSV. */
export const KEEP_ROWS = 50;

export interface QueryResult extends Collected {
  database: string;
  sql: string;
  durationMs: number;
}

/** Layer 1 for the database's dialect; throws `query_refused` (or `query_failed` for syntax). */
export async function checkStatement(db: Database, sql: string): Promise<CheckedStatement> {
  // The parsers are large (node-sql-parser alone is ~15 MB); load them with the first query.
  if (db.engine === 'postgres') {
    const { checkPostgres } = await import('./guard-postgres.js');
    return checkPostgres(sql, db.config.mask_columns);
  }
  const { checkMysql, MysqlParseError } = await import('./guard-mysql.js');
  try {
    return checkMysql(sql, db.config.mask_columns);
  } catch (err) {
    if (err instanceof MysqlParseError) return explainMysqlParseError(db, sql, err);
    throw err;
  }
}

/** Runs one read-only statement through every layer and returns the masked, capped result. */
export async function runQuery(db: Database, sql: string, clock: Clock = systemClock): Promise<QueryResult> {
  const started = clock.now();
  const checked = await checkStatement(db, sql);
  const collector = createCollector({
    maxRows: db.config.max_rows,
    keepRows: KEEP_ROWS,
    maxCsvBytes: MAX_CSV_BYTES,
    mask: (names) => maskedColumns(names, checked, db.config.mask_columns),
  });
  if (db.engine === 'postgres') await readPostgres(db, checked, collector);
  else await readMysql(db, checked, collector);
  return { ...collector.result(), database: db.name, sql: checked.sql, durationMs: clock.now() - started };
}
