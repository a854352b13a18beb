import { plural } from '../../src/render/format.js';
import {
  type CatalogResult,
  EXACT_BELOW,
  MAX_EXACT,
  MAX_TABLES,
  noSuchTable,
  type ReadOnlyQuery,
} from './catalog.js';
import type { Cell } from './types.js';

const USER_RELATIONS = `
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;
const DISPLAY_NAME = `CASE WHEN n.nspname = 'public' THEN quote_ident(c.relname) ELSE format('%I.%I', n.nspname, c.relname) END`;

export async function tablesPostgres(q: ReadOnlyQuery): Promise<CatalogResult> {
  const res = await q(
    `SELECT ${DISPLAY_NAME} AS "table",
            CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                           WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END AS kind,
            pg_size_pretty(pg_total_relation_size(c.oid)) AS size
     ${USER_RELATIONS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY 1 LIMIT ${MAX_TABLES}`,
  );
  return { title: plural(res.rows.length, 'table or view', 'tables and views'), sections: [res] };
}

export async function countsPostgres(q: ReadOnlyQuery): Promise<CatalogResult> {
  const res = await q(
    `SELECT ${DISPLAY_NAME} AS name, format('%I.%I', n.nspname, c.relname) AS qualified,
            c.reltuples::bigint::text AS estimate
     ${USER_RELATIONS} AND c.relkind IN ('r', 'p') AND c.relispartition = false
      ORDER BY 1 LIMIT ${MAX_TABLES}`,
  );
  const rows: Cell[][] = [];
  let exactLeft = MAX_EXACT;
  for (const [name, qualified, estimate] of res.rows) {
    const est = Number(estimate);
    // reltuples is -1 until the table is first vacuumed or analyzed: size unknown, so count it.
    if ((est < EXACT_BELOW || est < 0) && exactLeft > 0 && typeof qualified === 'string') {
      exactLeft -= 1;
      const exact = await q(`SELECT count(*)::text FROM ${qualified}`);
      rows.push([name ?? '', exact.rows[0]?.[0] ?? '0', 'exact']);
    } else {
      rows.push([name ?? '', String(Math.max(est, 0)), 'estimate']);
    }
  }
  return {
    title: `Row counts of ${rows.length} tables`,
    sections: [{ columns: ['table', 'rows', 'count'], rows }],
    note: `exact: count(*) for tables under ${EXACT_BELOW.toLocaleString('en-US')} rows; estimate: from the planner's statistics (pg_class.reltuples).`,
  };
}

export async function describePostgres(
  q: ReadOnlyQuery,
  table: string,
  dbName: string,
): Promise<CatalogResult> {
  const found = await q(`SELECT to_regclass($1)::oid::text, to_regclass($1)::text`, [table]);
  const [oid, name] = found.rows[0] ?? [];
  if (!oid) throw noSuchTable(table, dbName);
  const columns = await q(
    `SELECT a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  );
  const indexes = await q(
    `SELECT i.relname AS "index", pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::oid ORDER BY x.indisprimary DESC, i.relname`,
    [oid],
  );
  return {
    title: `Table ${name}`,
    sections: [columns, { heading: indexes.rows.length > 0 ? 'Indexes' : 'No indexes', ...indexes }],
  };
}
