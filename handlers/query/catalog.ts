import { acquireMysql, acquirePg, type Database, mysqlQuery } from '../../src/db/pools.js';
import { DocksideError } from '../../src/errors.js';
import { countsMysql, describeMysql, tablesMysql } from './catalog-mysql.js';
import { countsPostgres, describePostgres, tablesPostgres } from './catalog-postgres.js';
import { type ErrorContext, mysqlError, pgError } from './db-errors.js';
import type { Cell } from './types.js';

export interface CatalogSection {
  heading?: string;
  columns: string[];
  rows: Cell[][];
}

export interface CatalogResult {
  title: string;
  sections: CatalogSection[];
  note?: string;
}

export interface Rows {
  columns: string[];
  rows: Cell[][];
}

/** Runs catalog queries with bound parameters inside one read-only transaction. */
export type ReadOnlyQuery = (sql: string, params?: unknown[]) => Promise<Rows>;

const cell = (v: unknown): Cell => (v === null || v === undefined ? null : String(v));

/** The same read-only transaction and session limits as user queries, for dockside's own SQL. */
export async function withReadOnly<T>(db: Database, fn: (q: ReadOnlyQuery) => Promise<T>): Promise<T> {
  const ctx: ErrorContext = {
    database: db.name,
    endpoint: db.endpoint,
    sql: '',
    timeoutMs: db.config.statement_timeout_ms,
  };
  if (db.engine === 'postgres') {
    const client = await acquirePg(db);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN TRANSACTION READ ONLY');
      return await fn(async (sql, params = []) => {
        const res = await client.query({ text: sql, values: params, rowMode: 'array' });
        return { columns: res.fields.map((f) => f.name), rows: res.rows.map((r: unknown[]) => r.map(cell)) };
      });
    } catch (err) {
      throw pgError(err, ctx);
    } finally {
      await client.query('ROLLBACK').catch((err: Error) => {
        broken = err;
      });
      client.release(broken);
    }
  }
  const conn = await acquireMysql(db);
  try {
    await mysqlQuery(conn, 'START TRANSACTION READ ONLY');
    const result = await fn(async (sql, params = []) => {
      const rows = await mysqlQuery<unknown[]>(conn, sql, params);
      return { columns: [], rows: rows.map((r) => r.map(cell)) };
    });
    await mysqlQuery(conn, 'ROLLBACK');
    conn.release();
    return result;
  } catch (err) {
    conn.destroy();
    throw mysqlError(err, ctx);
  }
}

export function tables(db: Database): Promise<CatalogResult> {
  return withReadOnly(db, (q) => (db.engine === 'postgres' ? tablesPostgres(q) : tablesMysql(q)));
}

export function counts(db: Database): Promise<CatalogResult> {
  return withReadOnly(db, (q) => (db.engine === 'postgres' ? countsPostgres(q) : countsMysql(q)));
}

export function describe(db: Database, table: string): Promise<CatalogResult> {
  return withReadOnly(db, (q) =>
    db.engine === 'postgres' ? describePostgres(q, table, db.name) : describeMysql(q, table, db.name),
  );
}

export function noSuchTable(table: string, db: string): DocksideError {
  return new DocksideError('query_failed', `There is no table or view "${table}" in database "${db}".`, {
    hint: `\`/query ${db} tables\` lists them.`,
  });
}

/** Tables estimated below this many rows get an exact count(*). */
export const EXACT_BELOW = 10_000;
/** At most this many exact counts, so `counts` stays quick on a schema with many small tables. */
export const MAX_EXACT = 50;
export const MAX_TABLES = 500;
