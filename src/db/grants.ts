import type { DatabaseConfig } from '../config/schema.js';
import { DocksideError } from '../errors.js';

/**
 * `dockside db grants <db>`: the SQL that gives /query's database user SELECT on every
 * column except the masked ones (layer 0: the database itself refuses masked columns),
 * and, for dumps, a separate backup role with what pg_dump / mysqldump need. The script
 * reads the table list when it runs, so it is run again after migrations add tables.
 */

export interface GrantsOptions {
  /** The query user; defaults to the user in databases.<db>.url. */
  role?: string;
  /** The role that owns the tables (PostgreSQL ALTER DEFAULT PRIVILEGES FOR ROLE). */
  owner?: string;
  /** An existing role for pg_dump/mysqldump; without it the script only says how to add one. */
  backupRole?: string;
  /** MySQL account host; defaults to %. */
  host?: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

function checkName(what: string, value: string): string {
  if (!IDENT.test(value)) {
    throw new DocksideError('usage', `${what} "${value}" is not a plain role name.`, {
      hint: 'Use letters, digits, _ and - only, or pass --role/--owner/--backup-role explicitly.',
    });
  }
  return value;
}

function urlParts(dbName: string, config: DatabaseConfig): { user: string; database: string } {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new DocksideError('config_invalid', `databases.${dbName}.url is not a valid connection URL`);
  }
  return {
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const pgIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

export function grantsSql(dbName: string, config: DatabaseConfig, options: GrantsOptions = {}): string {
  const parts = urlParts(dbName, config);
  const role = checkName('The query role', options.role ?? parts.user);
  const backup = options.backupRole ? checkName('The backup role', options.backupRole) : null;
  const masked = config.mask_columns.map((c) => c.toLowerCase());
  return config.engine === 'postgres'
    ? postgresSql(dbName, parts.database, role, backup, masked, options.owner)
    : mysqlSql(dbName, parts.database, role, backup, masked, options.host ?? '%');
}

function postgresSql(
  dbName: string,
  database: string,
  role: string,
  backup: string | null,
  masked: string[],
  owner: string | undefined,
): string {
  const maskedArray = `ARRAY[${masked.map(sqlString).join(', ')}]::text[]`;
  const ownerName = owner ? checkName('The owner role', owner) : '<owner>';
  return `-- dockside db grants ${dbName} (PostgreSQL, database ${database})
-- Run as the owner of the tables (or a superuser), e.g. psql -d ${database} -f grants.sql
-- Masked columns (mask_columns): ${masked.length > 0 ? masked.join(', ') : '(none)'}
-- Run it again after a migration adds tables or columns: new ones get nothing until then.

-- 1. The /query role: SELECT on every column except the masked ones, nothing else.
ALTER ROLE ${pgIdent(role)} SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE ${pgIdent(database)} TO ${pgIdent(role)};
DO $dockside$
DECLARE
  t record;
  cols text;
BEGIN
  FOR t IN
    SELECT c.oid, n.nspname, c.relname
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', t.nspname, ${sqlString(role)});
    -- Revoking the table also revokes every column grant: start from nothing.
    EXECUTE format('REVOKE ALL ON TABLE %I.%I FROM %I', t.nspname, t.relname, ${sqlString(role)});
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a
     WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
       AND lower(a.attname) <> ALL (${maskedArray});
    IF cols IS NOT NULL THEN
      EXECUTE format('GRANT SELECT (%s) ON TABLE %I.%I TO %I', cols, t.nspname, t.relname, ${sqlString(role)});
    END IF;
  END LOOP;
END
$dockside$;

${backup ? pgBackup(database, backup, ownerName) : NO_BACKUP_ROLE}
`;
}

const NO_BACKUP_ROLE = `-- 2. Logical dumps (pg_dump / mysqldump) need every column, masked ones included:
--    give them their own user and URL. Run again with --backup-role <user> for its grants.
`;

function pgBackup(database: string, backup: string, ownerName: string): string {
  return `-- 2. A backup role for pg_dump (only if dockside takes logical dumps; give it its own URL).
--    pg_dump reads every column and every sequence, masked ones included.
-- CREATE ROLE ${pgIdent(backup)} LOGIN PASSWORD '...';
GRANT CONNECT ON DATABASE ${pgIdent(database)} TO ${pgIdent(backup)};
DO $dockside$
DECLARE s text;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_t%'
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, ${sqlString(backup)});
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', s, ${sqlString(backup)});
    EXECUTE format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, ${sqlString(backup)});
    -- Tables and sequences the owner creates later are readable by the backup role too.
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I', ${sqlString(ownerName)}, s, ${sqlString(backup)});
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON SEQUENCES TO %I', ${sqlString(ownerName)}, s, ${sqlString(backup)});
  END LOOP;
END
$dockside$;
`;
}

function mysqlSql(
  dbName: string,
  database: string,
  role: string,
  backup: string | null,
  masked: string[],
  host: string,
): string {
  const account = (user: string) => `${sqlString(user)}@${sqlString(host)}`;
  const notMasked =
    masked.length > 0 ? `AND LOWER(COLUMN_NAME) NOT IN (${masked.map(sqlString).join(', ')})` : '';
  const grantee = `''${role.replaceAll("'", "''''")}''@''${host.replaceAll("'", "''''")}''`;
  return `-- dockside db grants ${dbName} (MySQL/MariaDB, database ${database})
-- MySQL has no loops outside stored programs, so part 1 prints the GRANT statements:
--   mysql -N -B ${database} < grants.sql | mysql ${database}
-- Masked columns (mask_columns): ${masked.length > 0 ? masked.join(', ') : '(none)'}
-- Run it again after a migration adds tables or columns: new ones get nothing until then.

-- 1. The /query user: SELECT on every column except the masked ones, nothing else.
--    First remove database-wide grants (a database-wide SELECT would include masked columns):
--    REVOKE ALL PRIVILEGES ON \`${database}\`.* FROM ${account(role)};
SELECT CONCAT('GRANT SELECT (',
              GROUP_CONCAT(CONCAT('\`', REPLACE(COLUMN_NAME, '\`', '\`\`'), '\`') ORDER BY ORDINAL_POSITION SEPARATOR ', '),
              ') ON \`', REPLACE(TABLE_SCHEMA, '\`', '\`\`'), '\`.\`', REPLACE(TABLE_NAME, '\`', '\`\`'), '\` TO ${grantee};')
  FROM information_schema.COLUMNS
 WHERE TABLE_SCHEMA = ${sqlString(database)} ${notMasked}
 GROUP BY TABLE_SCHEMA, TABLE_NAME;

${backup ? mysqlBackup(database, account(backup)) : NO_BACKUP_ROLE}`;
}

function mysqlBackup(database: string, account: string): string {
  return `-- 2. A backup user for mysqldump (only if dockside takes logical dumps; give it its own URL).
--    mysqldump --single-transaction needs SELECT, SHOW VIEW, TRIGGER, EVENT and LOCK TABLES;
--    it reads every column, masked ones included.
-- (create it first: CREATE USER ${account} IDENTIFIED BY '...';)
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON \`${database}\`.* TO ${account};
`;
}
