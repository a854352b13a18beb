import type pg from 'pg';
import { acquireMysql, acquirePg, type Database, mysqlQuery } from './pools.js';

export interface WritableCheck {
  database: string;
  /** True when the configured user could change data outside dockside's other guards. */
  writable: boolean;
  /** What makes it writable, e.g. "INSERT on public.users"; empty when read-only. */
  reasons: string[];
  /**
   * Masked columns (mask_columns) the configured user can SELECT, as schema.table.column:
   * layer 0 (column privileges) is missing for them and only dockside's masking stands.
   */
  maskedReadable: string[];
}

/** Names listed in one warning; the rest are counted. */
const SAMPLE = 50;

function named(items: string[]): string {
  const more = items.length > SAMPLE ? ` and ${items.length - SAMPLE} more` : '';
  return `${items.slice(0, SAMPLE).join(', ')}${more}`;
}

async function pgReasons(client: pg.PoolClient): Promise<string[]> {
  const role = await client.query<{ super: string; recovery: string; dbcreate: string }>(
    `SELECT r.rolsuper::text AS super, pg_is_in_recovery()::text AS recovery,
            has_database_privilege(current_database(), 'CREATE')::text AS dbcreate
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const info = role.rows[0];
  // A standby refuses every write whatever the grants say.
  if (info?.recovery === 'true') return [];
  const reasons: string[] = [];
  if (info?.super === 'true') reasons.push('the user is a superuser');
  if (info?.dbcreate === 'true') reasons.push('CREATE on the database');
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
      ORDER BY 1`,
  );
  const schemas = await client.query<{ name: string }>(
    `SELECT quote_ident(nspname) AS name FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_t%'
        AND has_schema_privilege(oid, 'CREATE') ORDER BY 1`,
  );
  if (tables.rows.length > 0) reasons.push(`write privileges on ${named(tables.rows.map((r) => r.name))}`);
  for (const s of schemas.rows) reasons.push(`CREATE on schema ${s.name}`);
  return reasons;
}

const MYSQL_WRITE_PRIVS = [
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'ALTER',
  'INDEX',
  'FILE',
  'SUPER',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EXECUTE',
  'CREATE TEMPORARY TABLES',
  'TRIGGER',
  'EVENT',
];

async function mysqlReasons(db: Database & { engine: 'mysql' }): Promise<string[]> {
  const conn = await acquireMysql(db);
  try {
    // information_schema shows the current user's own grants without extra privileges.
    const grantee = `CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")`;
    const marks = MYSQL_WRITE_PRIVS.map(() => '?').join(', ');
    const rows = await mysqlQuery<[string, string]>(
      conn,
      `SELECT 'global' AS scope, PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES
        WHERE GRANTEE = ${grantee} AND PRIVILEGE_TYPE IN (${marks})
       UNION ALL
       SELECT CONCAT('database ', TABLE_SCHEMA), PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES
        WHERE GRANTEE = ${grantee} AND PRIVILEGE_TYPE IN (${marks})
       UNION ALL
       SELECT CONCAT('table ', TABLE_SCHEMA, '.', TABLE_NAME), PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES
        WHERE GRANTEE = ${grantee} AND PRIVILEGE_TYPE IN (${marks})`,
      [...MYSQL_WRITE_PRIVS, ...MYSQL_WRITE_PRIVS, ...MYSQL_WRITE_PRIVS],
    );
    const byScope = new Map<string, string[]>();
    for (const [scope, priv] of rows) byScope.set(scope, [...(byScope.get(scope) ?? []), priv]);
    return [...byScope.entries()].map(([scope, privs]) => `${privs.join(', ')} (${scope})`);
  } finally {
    conn.release();
  }
}

async function pgMaskedReadable(client: pg.PoolClient, masked: string[]): Promise<string[]> {
  if (masked.length === 0) return [];
  // has_column_privilege is true through a table-wide SELECT too, which is the point.
  const res = await client.query<{ name: string }>(
    `SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS name
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND lower(a.attname) = ANY($1::text[])
        AND has_column_privilege(c.oid, a.attnum, 'SELECT')
      ORDER BY 1`,
    [masked.map((m) => m.toLowerCase())],
  );
  return res.rows.map((r) => r.name);
}

async function mysqlMaskedReadable(db: Database & { engine: 'mysql' }, masked: string[]): Promise<string[]> {
  if (masked.length === 0) return [];
  const conn = await acquireMysql(db);
  try {
    // information_schema.COLUMNS lists the current user's privileges on each column it can see.
    const rows = await mysqlQuery<[string]>(
      conn,
      `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, '.', COLUMN_NAME) FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND LOWER(COLUMN_NAME) IN (?) AND FIND_IN_SET('select', PRIVILEGES) > 0
        ORDER BY 1`,
      [masked.map((m) => m.toLowerCase())],
    );
    return rows.map(([name]) => name);
  } finally {
    conn.release();
  }
}

/**
 * Whether the configured user can write (layer 4 of the query guards). Used for the
 * start-up warning and by /health. Throws `db_unreachable` when it cannot connect.
 */
export async function checkWritable(db: Database): Promise<WritableCheck> {
  const masked = db.config.mask_columns;
  let reasons: string[];
  let maskedReadable: string[];
  if (db.engine === 'postgres') {
    const client = await acquirePg(db);
    try {
      reasons = await pgReasons(client);
      maskedReadable = await pgMaskedReadable(client, masked);
    } finally {
      client.release();
    }
  } else {
    reasons = await mysqlReasons(db);
    maskedReadable = await mysqlMaskedReadable(db, masked);
  }
  return { database: db.name, writable: reasons.length > 0, reasons, maskedReadable };
}

/** The writable part of the warning, or null when the user is read-only. */
export function writableWarning(check: WritableCheck): string | null {
  if (!check.writable) return null;
  return `Database "${check.database}": the configured user can write (${check.reasons.join('; ')}). Give dockside a read-only user; see the README.`;
}

/** The masked-columns part of the warning, or null when the database enforces every mask. */
export function maskedReadableWarning(check: WritableCheck): string | null {
  if (check.maskedReadable.length === 0) return null;
  return `Database "${check.database}": the configured user can read masked columns ${named(check.maskedReadable)}; only dockside's masking hides them. Run "dockside db grants ${check.database}" for SQL that grants only the other columns.`;
}

/** Every start-up / health warning about the configured user's privileges (empty when none). */
export function privilegeWarnings(check: WritableCheck): string[] {
  return [writableWarning(check), maskedReadableWarning(check)].filter((w): w is string => w !== null);
}
