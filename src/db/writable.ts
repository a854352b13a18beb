import type pg from 'pg';
import { acquireMysql, acquirePg, type Database, mysqlQuery } from './pools.js';

export interface WritableCheck {
  database: string;
  /** True when the configured user could change data outside dockside's other guards. */
  writable: boolean;
  /** What makes it writable, e.g. "INSERT on public.users"; empty when read-only. */
  reasons: string[];
}

const SAMPLE = 5;

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
      ORDER BY 1 LIMIT ${SAMPLE + 1}`,
  );
  const schemas = await client.query<{ name: string }>(
    `SELECT quote_ident(nspname) AS name FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_t%'
        AND has_schema_privilege(oid, 'CREATE') ORDER BY 1 LIMIT ${SAMPLE}`,
  );
  if (tables.rows.length > 0) {
    const more = tables.rows.length > SAMPLE ? ' and more' : '';
    reasons.push(
      `write privileges on ${tables.rows
        .slice(0, SAMPLE)
        .map((r) => r.name)
        .join(', ')}${more}`,
    );
  }
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
    return [...byScope.entries()].slice(0, SAMPLE).map(([scope, privs]) => `${privs.join(', ')} (${scope})`);
  } finally {
    conn.release();
  }
}

/**
 * Whether the configured user can write (layer 4 of the query guards). Used for the
 * start-up warning and by /health. Throws `db_unreachable` when it cannot connect.
 */
export async function checkWritable(db: Database): Promise<WritableCheck> {
  let reasons: string[];
  if (db.engine === 'postgres') {
    const client = await acquirePg(db);
    try {
      reasons = await pgReasons(client);
    } finally {
      client.release();
    }
  } else {
    reasons = await mysqlReasons(db);
  }
  return { database: db.name, writable: reasons.length > 0, reasons };
}

/** The start-up / health warning text, or null when the user is read-only. */
export function writableWarning(check: WritableCheck): string | null {
  if (!check.writable) return null;
  return `Database "${check.database}": the configured user can write (${check.reasons.join('; ')}). Give dockside a read-only user; see the README.`;
}
