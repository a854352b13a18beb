import type { PoolConnection } from 'mysql2';
import type pg from 'pg';
import { mysqlQuery } from '../../src/db/pools.js';
import { refuse } from './refuse.js';

/** A table or view named in the statement: schema as written (or null) and name. */
export interface RelationRef {
  schema: string | null;
  name: string;
}

/**
 * Views fail closed: a view built on a masked column (directly or through another view)
 * can hand that column out under any name, and the statement check cannot see inside it.
 * While columns are masked, such views are refused; the tables under them are not.
 */
function refuseView(view: string): never {
  return refuse(
    'masked-view',
    `${view} is a view over masked columns; dockside cannot tell which of its columns carry them.`,
    'Query the tables it is built on instead (their masked columns are masked).',
  );
}

export async function checkPgViews(
  client: pg.PoolClient,
  relations: RelationRef[],
  masked: string[],
): Promise<void> {
  if (masked.length === 0 || relations.length === 0) return;
  const res = await client.query({
    text: `SELECT v.oid::regclass::text
             FROM unnest($1::text[], $2::text[]) AS n(s, r)
             JOIN pg_catalog.pg_class v
               ON v.oid = to_regclass(CASE WHEN n.s IS NULL THEN quote_ident(n.r) ELSE format('%I.%I', n.s, n.r) END)
            WHERE v.relkind IN ('v', 'm')
              AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_rewrite w
                  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = w.oid
                  JOIN pg_catalog.pg_class b ON b.oid = d.refobjid
                  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE w.ev_class = v.oid AND d.refobjid <> v.oid
                   AND (lower(a.attname) = ANY($3::text[]) OR b.relkind IN ('v', 'm')))
            LIMIT 1`,
    values: [
      relations.map((r) => r.schema),
      relations.map((r) => r.name),
      masked.map((m) => m.toLowerCase()),
    ],
    rowMode: 'array',
  });
  const view = (res.rows[0] as unknown[] | undefined)?.[0];
  if (typeof view === 'string') refuseView(view);
}

export async function checkMysqlViews(
  conn: PoolConnection,
  relations: RelationRef[],
  masked: string[],
): Promise<void> {
  if (masked.length === 0 || relations.length === 0) return;
  // Without SHOW VIEW the definition reads as empty: refused as well, it cannot be checked.
  const pattern = `\\b(${masked.map((m) => m.replace(/[^\w$]/g, '')).join('|')})\\b`;
  const rows = await mysqlQuery<[string]>(
    conn,
    `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.VIEWS
      WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${relations.map(() => '(COALESCE(?, DATABASE()), ?)').join(', ')})
        AND (VIEW_DEFINITION = '' OR LOWER(VIEW_DEFINITION) REGEXP ?
             OR EXISTS (SELECT 1 FROM information_schema.VIEWS o
                         WHERE o.TABLE_SCHEMA = VIEWS.TABLE_SCHEMA AND o.TABLE_NAME <> VIEWS.TABLE_NAME
                           AND LOCATE(CONCAT('\`', LOWER(o.TABLE_NAME), '\`'), LOWER(VIEWS.VIEW_DEFINITION)) > 0))
      LIMIT 1`,
    [...relations.flatMap((r) => [r.schema, r.name]), pattern],
  );
  const view = rows[0]?.[0];
  if (view) refuseView(view);
}
