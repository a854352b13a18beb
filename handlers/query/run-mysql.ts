import type { FieldPacket, PoolConnection, TypeCast } from 'mysql2';
import { acquireMysql, type MysqlDatabase, mysqlQuery } from '../../src/db/pools.js';
import { type ErrorContext, mysqlError } from './db-errors.js';
import type { RowReader } from './read.js';
import type { Cell, CheckedStatement } from './types.js';

const BINARY_CHARSET = 63;
const BUFFER_TYPES = new Set([
  'TINY_BLOB',
  'MEDIUM_BLOB',
  'LONG_BLOB',
  'BLOB',
  'VAR_STRING',
  'STRING',
  'GEOMETRY',
]);

// Every value as the server's text, except byte strings, which are kept as buffers so
// binary ones can be shown by size (the field's charset, seen later, tells which).
const typeCast: TypeCast = (field) => {
  if (field.type === 'BIT') {
    const buf = field.buffer();
    return buf === null ? null : BigInt(`0x${buf.toString('hex') || '0'}`).toString();
  }
  return BUFFER_TYPES.has(field.type) ? field.buffer() : field.string();
};

function toCell(value: unknown, field: FieldPacket | undefined): Cell {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) {
    return field?.characterSet === BINARY_CHARSET ? { binaryBytes: value.length } : value.toString('utf8');
  }
  return String(value);
}

/**
 * Layers 2 and 3 for MySQL/MariaDB: START TRANSACTION READ ONLY on a connection with a
 * session statement time limit and no multi-statements. Rows are read as they arrive;
 * once enough are in, the socket is paused and the connection destroyed rather than
 * drained, so neither the bot nor the pool reads the rest.
 */
export async function readMysql(
  db: MysqlDatabase,
  checked: CheckedStatement,
  reader: RowReader,
): Promise<void> {
  const ctx: ErrorContext = {
    database: db.name,
    endpoint: db.endpoint,
    sql: checked.sql,
    timeoutMs: db.config.statement_timeout_ms,
  };
  const conn = await acquireMysql(db);
  // Only a connection that finished its result cleanly goes back to the pool.
  let reusable = false;
  try {
    await mysqlQuery(conn, 'START TRANSACTION READ ONLY');
    reusable = (await stream(conn, checked.sql, reader)) === 'complete';
  } catch (err) {
    reusable = isServerError(err);
    throw mysqlError(err, ctx);
  } finally {
    await finish(conn, reusable);
  }
}

function isServerError(err: unknown): boolean {
  const e = (err ?? {}) as { sqlMessage?: unknown; fatal?: unknown };
  return typeof e.sqlMessage === 'string' && !e.fatal;
}

function stream(conn: PoolConnection, sql: string, reader: RowReader): Promise<'complete' | 'stopped'> {
  return new Promise((resolve, reject) => {
    let fields: FieldPacket[] = [];
    const query = conn.query({ sql, rowsAsArray: true, typeCast });
    query.on('fields', (f: FieldPacket[]) => {
      fields = f;
      reader.columns(f.map((x) => x.name));
    });
    query.on('result', (row: unknown) => {
      if (reader.wanted() === 0) return;
      const values = Array.isArray(row) ? row : [];
      reader.row(values.map((v, i) => toCell(v, fields[i])));
      if (reader.wanted() === 0) {
        // Stop reading the socket; the server blocks on a full buffer until the
        // connection is closed.
        conn.pause();
        resolve('stopped');
      }
    });
    query.on('error', reject);
    query.on('end', () => resolve('complete'));
  });
}

async function finish(conn: PoolConnection, reusable: boolean): Promise<void> {
  if (!reusable) {
    hardClose(conn);
    return;
  }
  try {
    await mysqlQuery(conn, 'ROLLBACK');
    conn.release();
  } catch {
    hardClose(conn);
  }
}

/**
 * Mid-result or broken: never hand it to the next query. mysql2's destroy() only
 * half-closes (FIN), and a server blocked writing the rest of a result would hold its
 * transaction and metadata locks until net_write_timeout. Destroying the socket with
 * unread data makes the kernel reset the connection, so the server stops at once and
 * rolls back.
 */
function hardClose(conn: PoolConnection): void {
  conn.destroy();
  (conn as unknown as { stream?: { destroy(): void } }).stream?.destroy();
}
