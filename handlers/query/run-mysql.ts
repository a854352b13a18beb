import type { FieldPacket, PoolConnection, TypeCast } from 'mysql2';
import {
  acquireMysql,
  applyMysqlSession,
  isMariaDb,
  type MysqlDatabase,
  mysqlQuery,
} from '../../src/db/pools.js';
import { type ErrorContext, mysqlError } from './db-errors.js';
import type { RowReader } from './read.js';
import type { Cell, CheckedStatement } from './types.js';
import { checkMysqlViews } from './views.js';

const BINARY_CHARSET = 63;
// Column type codes of the protocol: values of these can be long, so they are cut on the server.
const LONG_TYPES = new Set([15, 245, 247, 248, 249, 250, 251, 252, 253, 254, 255]);
const BIT_TYPE = 16;
const BUFFER_TYPES = new Set([
  'TINY_BLOB',
  'MEDIUM_BLOB',
  'LONG_BLOB',
  'BLOB',
  'VAR_STRING',
  'STRING',
  'GEOMETRY',
]);

// Every value as the server's text, except byte strings, kept as buffers so that
// binary ones can be shown by size (the field's charset tells which).
const typeCast: TypeCast = (field) => {
  if (field.type === 'BIT') {
    const buf = field.buffer();
    return buf === null ? null : BigInt(`0x${buf.toString('hex') || '0'}`).toString();
  }
  return BUFFER_TYPES.has(field.type) ? field.buffer() : field.string();
};

function toCell(value: unknown, binarySize: boolean): Cell {
  if (value === null || value === undefined) return null;
  if (binarySize) return { binaryBytes: Number(Buffer.isBuffer(value) ? value.toString() : value) };
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

interface Described {
  fields: FieldPacket[];
  binary: boolean[];
}

/** Column definitions of a statement without running it (COM_STMT_PREPARE, then closed). */
function describe(conn: PoolConnection, sql: string): Promise<Described> {
  return new Promise((resolve, reject) =>
    conn.prepare(sql, (err, statement) => {
      if (err) return reject(err);
      const fields = ((statement as unknown as { columns?: FieldPacket[] }).columns ?? []) as FieldPacket[];
      statement.close();
      resolve({
        fields,
        binary: fields.map((f) => f.characterSet === BINARY_CHARSET && LONG_TYPES.has(f.columnType ?? 0)),
      });
    }),
  );
}

/**
 * The user's SELECT inside a CTE that cuts long values on the server; binary values
 * arrive as their size. MariaDB drops the ORDER BY of a merged CTE, so a statement
 * that sorts is materialized in its order instead (derived_merge off for this statement).
 */
function wrapper(sql: string, d: Described, cutChars: number, mariadb: boolean): string {
  const names = d.fields.map((_, i) => `c${i + 1}`);
  const exprs = d.fields.map((f, i) => {
    if (d.binary[i]) return `OCTET_LENGTH(${names[i]})`;
    if (f.columnType === BIT_TYPE || !LONG_TYPES.has(f.columnType ?? 0)) return names[i];
    return `LEFT(${names[i]}, ${cutChars})`;
  });
  const wrapped = `WITH dockside_q(${names.join(', ')}) AS (${sql}) SELECT ${exprs.join(', ')} FROM dockside_q`;
  return mariadb && /\bORDER\s+BY\b/i.test(sql)
    ? `SET STATEMENT optimizer_switch = 'derived_merge=off' FOR ${wrapped}`
    : wrapped;
}

export interface ReadOptions {
  maxCellBytes: number;
  signal: AbortSignal;
}

/**
 * Layers 2 and 3 for MySQL/MariaDB: START TRANSACTION READ ONLY on a connection with a
 * session statement time limit and no multi-statements. Rows are read as they arrive;
 * once enough are in, the connection is destroyed rather than drained. A connection
 * that finished goes back to the pool only after a rollback and a connection reset
 * (named locks, user variables, temporary tables gone) and its limits set again.
 */
export async function readMysql(
  db: MysqlDatabase,
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
  };
  const conn = await acquireMysql(db);
  let closed = false;
  const destroy = () => {
    if (closed) return;
    closed = true;
    hardClose(conn);
  };
  if (options.signal.aborted) return destroy();
  options.signal.addEventListener('abort', destroy, { once: true });
  let reusable = false;
  try {
    await mysqlQuery(conn, 'START TRANSACTION READ ONLY');
    await checkMysqlViews(conn, checked.relations, db.config.mask_columns);
    let sql = checked.sql;
    let binary: boolean[] = [];
    if (checked.kind === 'select') {
      const d = await describe(conn, checked.sql);
      binary = d.binary;
      reader.columns(
        d.fields.map((f) => ({
          name: f.name,
          origin: f.orgTable && f.orgName ? { table: f.orgTable, column: f.orgName } : null,
        })),
      );
      sql = wrapper(checked.sql, d, options.maxCellBytes + 1, isMariaDb(conn));
    }
    reusable = (await stream(conn, sql, reader, binary, checked.kind === 'other')) === 'complete';
  } catch (err) {
    reusable = isServerError(err);
    throw mysqlError(err, ctx);
  } finally {
    options.signal.removeEventListener('abort', destroy);
    if (!closed) {
      closed = true;
      await finish(db, conn, reusable);
    }
  }
}

function isServerError(err: unknown): boolean {
  const e = (err ?? {}) as { sqlMessage?: unknown; fatal?: unknown };
  return typeof e.sqlMessage === 'string' && !e.fatal;
}

function stream(
  conn: PoolConnection,
  sql: string,
  reader: RowReader,
  binary: boolean[],
  describeHere: boolean,
): Promise<'complete' | 'stopped'> {
  return new Promise((resolve, reject) => {
    const query = conn.query({ sql, rowsAsArray: true, typeCast });
    query.on('fields', (f: FieldPacket[] | undefined) => {
      if (describeHere) reader.columns((f ?? []).map((x) => ({ name: x.name, origin: null })));
    });
    query.on('result', (row: unknown) => {
      // A statement without a result set reports an OK packet instead of rows.
      if (!Array.isArray(row) || reader.wanted() === 0) return;
      reader.row(row.map((v, i) => toCell(v, binary[i] ?? false)));
      if (reader.wanted() === 0) {
        // Stop reading the socket; the server blocks on a full buffer until the connection is closed.
        conn.pause();
        resolve('stopped');
      }
    });
    query.on('error', reject);
    query.on('end', () => resolve('complete'));
  });
}

async function finish(db: MysqlDatabase, conn: PoolConnection, reusable: boolean): Promise<void> {
  if (!reusable) {
    hardClose(conn);
    return;
  }
  try {
    await mysqlQuery(conn, 'ROLLBACK');
    await new Promise<void>((resolve, reject) => conn.reset((err) => (err ? reject(err) : resolve())));
    await applyMysqlSession(db, conn);
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
