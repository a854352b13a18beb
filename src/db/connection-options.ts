import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { PoolOptions as MysqlPoolOptions } from 'mysql2';
import type { PoolConfig as PgPoolConfig } from 'pg';
import type { DatabaseConfig } from '../config/schema.js';
import { DocksideError } from '../errors.js';

/**
 * Connection options built from the URL by hand rather than handed to the drivers as a
 * string: pg >= 8 reads `sslmode=require` as verify-full, which fails against
 * DigitalOcean's self-signed chain, and mysql2 ignores `ssl-mode` entirely. Here both
 * mean what libpq and the mysql client mean by them.
 */

/** Connections per database; /query runs at most this many statements on one database at once. */
export const POOL_SIZE = 4;
const IDLE_MS = 60_000;

const VERIFY_MODES = new Set(['verify-ca', 'verify-full', 'verify_ca', 'verify_identity']);
const ENCRYPT_MODES = new Set(['require', 'required', 'prefer', 'preferred', ...VERIFY_MODES]);

interface ParsedUrl {
  host: string;
  port: number | undefined;
  user: string;
  password: string;
  database: string;
  tls: TlsOptions | undefined;
}

function parseUrl(dbName: string, raw: string): ParsedUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL itself is a secret; name only the setting that holds it.
    throw new DocksideError('config_invalid', `databases.${dbName}.url is not a valid connection URL`);
  }
  const params = url.searchParams;
  const mode = (
    params.get('sslmode') ??
    params.get('ssl-mode') ??
    params.get('ssl_mode') ??
    ''
  ).toLowerCase();
  let tls: TlsOptions | undefined;
  if (ENCRYPT_MODES.has(mode)) {
    const ca = params.get('sslrootcert') ?? params.get('ssl-ca');
    tls = VERIFY_MODES.has(mode)
      ? { rejectUnauthorized: true, ...(ca ? { ca: readCa(ca) } : {}) }
      : { rejectUnauthorized: false };
  }
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : undefined,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    tls,
  };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new DocksideError('config_invalid', `the CA certificate file ${path} cannot be read`);
  }
}

export function pgPoolConfig(dbName: string, db: DatabaseConfig): PgPoolConfig {
  const u = parseUrl(dbName, db.url);
  return {
    host: u.host,
    port: u.port ?? 5432,
    user: u.user,
    password: u.password,
    database: u.database,
    ssl: u.tls ?? false,
    max: POOL_SIZE,
    // Idle connections close after a minute: a session never outlives its use for long.
    idleTimeoutMillis: IDLE_MS,
    connectionTimeoutMillis: Math.min(10_000, Math.max(2_000, db.statement_timeout_ms)),
    // Session limits sent in the start-up packet: they hold from the first statement on
    // and the statement check refuses SET/set_config, so a query cannot lift them.
    statement_timeout: db.statement_timeout_ms,
    idle_in_transaction_session_timeout: Math.max(db.statement_timeout_ms * 2, 10_000),
    application_name: 'dockside',
    // The statement check's lexer reads '...' without backslash escapes; a database
    // default of off would make the server read the same text differently.
    options: '-c standard_conforming_strings=on -c backslash_quote=off',
    allowExitOnIdle: true,
  };
}

export function mysqlPoolOptions(dbName: string, db: DatabaseConfig): MysqlPoolOptions {
  const u = parseUrl(dbName, db.url);
  return {
    host: u.host,
    port: u.port ?? 3306,
    user: u.user,
    password: u.password,
    database: u.database,
    ...(u.tls ? { ssl: u.tls as MysqlPoolOptions['ssl'] } : {}),
    connectionLimit: POOL_SIZE,
    // maxIdle 0: every connection idle for a minute is closed (mysql2 keeps up to maxIdle forever).
    maxIdle: 0,
    idleTimeout: IDLE_MS,
    connectTimeout: Math.min(10_000, Math.max(2_000, db.statement_timeout_ms)),
    multipleStatements: false,
    // LOCAL INFILE would let the server ask this process for any file it can read.
    flags: ['-LOCAL_FILES'],
    rowsAsArray: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
  };
}

/** Host and port only: safe to show in messages (no user, password or parameters). */
export function describeEndpoint(dbName: string, db: DatabaseConfig): string {
  const u = parseUrl(dbName, db.url);
  return `${u.host}:${u.port ?? (db.engine === 'postgres' ? 5432 : 3306)}`;
}
