import mysql from 'mysql2';
import pg from 'pg';
import type { DatabaseConfig } from '../config/schema.js';
import { DocksideError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerConnectionString } from '../secrets.js';
import { describeEndpoint, mysqlPoolOptions, pgPoolConfig } from './connection-options.js';
import { unreachableError } from './errors.js';

interface DatabaseBase {
  name: string;
  config: DatabaseConfig;
  /** host:port, for messages. */
  endpoint: string;
}
export interface PgDatabase extends DatabaseBase {
  engine: 'postgres';
  pool: pg.Pool;
}
export interface MysqlDatabase extends DatabaseBase {
  engine: 'mysql';
  pool: mysql.Pool;
}
export type Database = PgDatabase | MysqlDatabase;

export interface DatabasePools {
  /** The database's pool, created on first use; throws `unknown_db`. */
  get(name: string): Database;
  names(): string[];
  /** Ends every pool that was opened; safe to call twice. */
  close(): Promise<void>;
}

// pg parses dates, numerics and JSON into JS values; results are shown as the server
// formats them (as psql does), so every type is kept as its text form.
const asText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export function createDatabasePools(databases: Record<string, DatabaseConfig>, log: Logger): DatabasePools {
  const open = new Map<string, Database>();
  let closed = false;
  for (const db of Object.values(databases)) registerConnectionString(db.url);

  function create(name: string, config: DatabaseConfig): Database {
    const endpoint = describeEndpoint(name, config);
    if (config.engine === 'postgres') {
      const pool = new pg.Pool({ ...pgPoolConfig(name, config), types: asText });
      // An idle client losing its server must not crash the process.
      pool.on('error', (err) => log.warn({ database: name, err }, 'idle database connection failed'));
      return { engine: 'postgres', name, config, endpoint, pool };
    }
    const pool = mysql.createPool(mysqlPoolOptions(name, config));
    return { engine: 'mysql', name, config, endpoint, pool };
  }

  return {
    get(name) {
      const config = databases[name];
      if (!config) {
        const known = Object.keys(databases);
        throw new DocksideError('unknown_db', `There is no database "${name}" in dockside.yml.`, {
          hint: known.length > 0 ? `Known databases: ${known.join(', ')}.` : 'No databases are configured.',
        });
      }
      if (closed) throw new DocksideError('not_available', 'dockside is shutting down.');
      let db = open.get(name);
      if (!db) {
        db = create(name, config);
        open.set(name, db);
        log.debug({ database: name, engine: config.engine }, 'database pool created');
      }
      return db;
    },
    names: () => Object.keys(databases),
    async close() {
      closed = true;
      const all = [...open.values()];
      open.clear();
      await Promise.all(
        all.map(async (db) => {
          try {
            if (db.engine === 'postgres') await db.pool.end();
            else await db.pool.promise().end();
          } catch (err) {
            log.warn({ database: db.name, err }, 'database pool did not close cleanly');
          }
        }),
      );
    },
  };
}

export async function acquirePg(db: PgDatabase): Promise<pg.PoolClient> {
  try {
    return await db.pool.connect();
  } catch (err) {
    throw unreachableError(db.name, db.endpoint, err);
  }
}

const prepared = new WeakSet<object>();
const mariadbConnections = new WeakSet<object>();

/** True for a MariaDB server (known once the connection's session was set up). */
export function isMariaDb(conn: mysql.PoolConnection): boolean {
  return mariadbConnections.has(conn);
}

/**
 * A connection with the session limits in place. MySQL has no start-up parameters, so
 * they are set once per connection, the first time it is handed out; the statement
 * check refuses SET, so no query can change them later.
 */
export async function acquireMysql(db: MysqlDatabase): Promise<mysql.PoolConnection> {
  let conn: mysql.PoolConnection;
  try {
    conn = await new Promise<mysql.PoolConnection>((resolve, reject) =>
      db.pool.getConnection((err, c) => (err ? reject(err) : resolve(c))),
    );
  } catch (err) {
    throw unreachableError(db.name, db.endpoint, err);
  }
  if (prepared.has(conn)) return conn;
  try {
    await applyMysqlSession(db, conn);
    return conn;
  } catch (err) {
    conn.destroy();
    throw unreachableError(db.name, db.endpoint, err);
  }
}

/**
 * Sets the session limits on a new connection, and again after a connection reset
 * (COM_RESET_CONNECTION puts every session variable back to its default).
 */
export async function applyMysqlSession(db: MysqlDatabase, conn: mysql.PoolConnection): Promise<void> {
  const [row] = await mysqlQuery<string[]>(conn, 'SELECT VERSION()');
  const mariadb = /mariadb/i.test(row?.[0] ?? '');
  if (mariadb) mariadbConnections.add(conn);
  const ms = db.config.statement_timeout_ms;
  const timeout = mariadb ? `max_statement_time = ${ms / 1000}` : `max_execution_time = ${ms}`;
  // Backslash escapes on and ANSI_QUOTES off: dockside's lexer reads strings and quotes
  // that way, so the server must too.
  await mysqlQuery(
    conn,
    `SET SESSION ${timeout}, sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(CONCAT(',', @@sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','), ',ANSI_QUOTES,', ','))`,
  );
  prepared.add(conn);
}

/** Promise form of a simple query on a callback connection (rows as arrays). */
export function mysqlQuery<R>(conn: mysql.PoolConnection, sql: string, values: unknown[] = []): Promise<R[]> {
  return new Promise((resolve, reject) =>
    conn.query({ sql, values, rowsAsArray: true }, (err, rows) => (err ? reject(err) : resolve(rows as R[]))),
  );
}
