import { MYSQL_ALLOWED, mysqlNever } from './functions-mysql.js';
import { PG_ALLOWED, pgNever } from './functions-postgres.js';
import { refuse } from './refuse.js';

export type Dialect = 'postgres' | 'mysql';

/**
 * Refuses a function call unless it is on the dialect's allow-list or in
 * allow_functions, and always when it is on the never list. `schema` is the
 * qualifier as written; only pg_catalog (PostgreSQL) is trusted, since a function of
 * the same name in another schema can do anything.
 */
export function checkFunction(
  dialect: Dialect,
  database: string,
  name: string,
  schema: string | null,
  extra: readonly string[],
): void {
  const n = name.toLowerCase();
  const s = schema?.toLowerCase() ?? null;
  const shown = s ? `${s}.${n}` : n;
  const never = dialect === 'postgres' ? pgNever(n) : mysqlNever(n);
  if (never) {
    refuse(
      'side-effect-function',
      `${shown}() runs SQL given as text, reads a table named in a string, or has effects a read-only transaction does not stop.`,
      'It cannot be allowed, not even with allow_functions.',
    );
  }
  const extraSet = new Set(extra.map((e) => e.toLowerCase()));
  if (extraSet.has(shown)) return;
  const trustedSchema = s === null || (dialect === 'postgres' && s === 'pg_catalog');
  const allowed = dialect === 'postgres' ? PG_ALLOWED : MYSQL_ALLOWED;
  if (trustedSchema && (allowed.has(n) || extraSet.has(n))) return;
  refuse(
    'unknown-function',
    `${shown}() is not on dockside's list of functions known to be safe for reads.`,
    `If it only computes a value, add it to databases.${database}.allow_functions in dockside.yml (for example \`allow_functions: [${shown}]\`).`,
  );
}
