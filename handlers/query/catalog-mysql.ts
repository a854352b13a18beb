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

const quoteIdent = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

export async function tablesMysql(q: ReadOnlyQuery): Promise<CatalogResult> {
  const res = await q(
    `SELECT TABLE_NAME, LOWER(TABLE_TYPE), CONCAT(ROUND((COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0)) / 1024), ' kB')
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME LIMIT ${MAX_TABLES}`,
  );
  const rows = res.rows.map(([name, type, size]) => [
    name ?? null,
    type === 'base table' ? 'table' : (type ?? null),
    size ?? null,
  ]);
  return {
    title: plural(rows.length, 'table or view', 'tables and views'),
    sections: [{ columns: ['table', 'kind', 'size'], rows }],
  };
}

export async function countsMysql(q: ReadOnlyQuery): Promise<CatalogResult> {
  const res = await q(
    `SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0) FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME LIMIT ${MAX_TABLES}`,
  );
  const rows: Cell[][] = [];
  let exactLeft = MAX_EXACT;
  for (const [name, estimate] of res.rows) {
    const est = Number(estimate);
    if (est < EXACT_BELOW && exactLeft > 0 && typeof name === 'string') {
      exactLeft -= 1;
      const exact = await q(`SELECT COUNT(*) FROM ${quoteIdent(name)}`);
      rows.push([name, exact.rows[0]?.[0] ?? '0', 'exact']);
    } else {
      rows.push([name ?? '', String(est), 'estimate']);
    }
  }
  return {
    title: `Row counts of ${rows.length} tables`,
    sections: [{ columns: ['table', 'rows', 'count'], rows }],
    note: `exact: COUNT(*) for tables under ${EXACT_BELOW.toLocaleString('en-US')} rows; estimate: information_schema.TABLES.TABLE_ROWS (InnoDB statistics).`,
  };
}

export async function describeMysql(q: ReadOnlyQuery, table: string, dbName: string): Promise<CatalogResult> {
  const [schemaPart, tablePart] = table.includes('.') ? table.split('.', 2) : [null, table];
  const unquote = (s: string | null | undefined) => (s ? s.replace(/^`(.*)`$/, '$1') : s);
  const schema = unquote(schemaPart) ?? null;
  const name = unquote(tablePart) ?? '';
  const where = 'TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?';
  const columns = await q(
    `SELECT COLUMN_NAME, COLUMN_TYPE, IF(IS_NULLABLE = 'YES', 'null', 'not null'), COLUMN_DEFAULT, EXTRA
       FROM information_schema.COLUMNS WHERE ${where} ORDER BY ORDINAL_POSITION`,
    [schema, name],
  );
  if (columns.rows.length === 0) throw noSuchTable(table, dbName);
  const indexes = await q(
    `SELECT INDEX_NAME, IF(NON_UNIQUE = 0, 'unique', ''), GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ', ')
       FROM information_schema.STATISTICS WHERE ${where}
      GROUP BY INDEX_NAME, NON_UNIQUE ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME`,
    [schema, name],
  );
  return {
    title: `Table ${name}`,
    sections: [
      { columns: ['column', 'type', 'nullable', 'default', 'extra'], rows: columns.rows },
      {
        heading: indexes.rows.length > 0 ? 'Indexes' : 'No indexes',
        columns: ['index', 'unique', 'columns'],
        rows: indexes.rows,
      },
    ],
  };
}
