import { hasSqlDetails, parse } from 'libpg-query';
import { DocksideError } from '../../src/errors.js';
import { escapeText } from '../../src/render/format.js';
import { isObject, type Json, type JsonObject, str, walk } from './ast.js';
import { checkFunction } from './functions.js';
import { splitPostgres } from './lexer-postgres.js';
import { article, caretLine, refuse } from './refuse.js';
import { funcNameParts, PgTaint, pgMaskPlan } from './taint-postgres.js';
import type { CheckedStatement, GuardOptions } from './types.js';
import { checkMaskedUses } from './uses-postgres.js';
import type { RelationRef } from './views.js';

/**
 * Layer 1 for PostgreSQL: the statement check, with libpg_query (PostgreSQL's own
 * parser), so what is checked is what the server will run.
 */

const READ_KINDS = new Set(['SelectStmt', 'ExplainStmt', 'VariableShowStmt']);
const WRITE_NODES: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};
const KIND_NAMES: Record<string, string> = {
  VariableSetStmt: 'SET',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  CopyStmt: 'COPY',
  TransactionStmt: 'transaction control',
  CreateTableAsStmt: 'CREATE TABLE AS',
  DeclareCursorStmt: 'DECLARE CURSOR',
  ...WRITE_NODES,
};

function kindName(node: string): string {
  return (
    KIND_NAMES[node] ??
    node
      .replace(/Stmt$/, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toUpperCase()
  );
}

function only(node: Json): [string, JsonObject] {
  if (!isObject(node)) return ['', {}];
  const [key, value] = Object.entries(node)[0] ?? ['', {}];
  return [key, isObject(value) ? value : {}];
}

function checkKind(stmt: Json): string {
  const [kind, body] = only(stmt);
  if (!READ_KINDS.has(kind)) {
    refuse('read-kind', `this is ${article(kindName(kind))} statement, not a read.`);
  }
  if (kind === 'ExplainStmt') {
    // EXPLAIN ANALYZE runs its statement, so what it explains must pass the same check.
    checkKind(body.query ?? null);
  }
  return kind;
}

const STATS_VIEWS =
  /^(pg_stats|pg_stats_ext|pg_stats_ext_exprs|pg_statistic|pg_statistic_ext|pg_statistic_ext_data|pg_stat_.*|pg_statio_.*|pg_prepared_statements|pg_cursors)$/;

function checkTree(stmt: Json, options: GuardOptions): void {
  walk(stmt, (key, value) => {
    const write = WRITE_NODES[key];
    if (write !== undefined) {
      const article = /^[AEIOU]/.test(write) ? 'an' : 'a';
      refuse(
        'data-changing-cte',
        `it contains ${article} ${write} inside the statement (a data-changing WITH).`,
      );
    }
    if ((key === 'intoClause' || key === 'IntoClause') && value !== null) {
      refuse('select-into', 'SELECT ... INTO creates a table.');
    }
    if (key === 'lockingClause' && Array.isArray(value) && value.length > 0) {
      refuse('locking-read', 'FOR UPDATE / FOR SHARE takes row locks.');
    }
    if (key === 'FuncCall' && isObject(value)) {
      const parts = funcNameParts(value);
      const name = parts[parts.length - 1] ?? '';
      checkFunction(
        'postgres',
        options.database,
        name,
        parts.length > 1 ? parts.slice(0, -1).join('.') : null,
        options.allowFunctions,
      );
    }
    if (key === 'RangeVar' && isObject(value) && options.maskColumns.length > 0) {
      const rel = (str(value.relname) ?? '').toLowerCase();
      if (STATS_VIEWS.test(rel)) {
        refuse(
          'statistics-view',
          `${rel} shows column values or other sessions' statements, and this database has masked columns.`,
          'Ask whoever runs dockside; statistics and activity views are not available through /query while mask_columns is set.',
        );
      }
    }
  });
}

function rangeVars(stmt: Json): RelationRef[] {
  const out: RelationRef[] = [];
  walk(stmt, (key, value) => {
    if (key === 'RangeVar' && isObject(value) && str(value.relname)) {
      out.push({ schema: str(value.schemaname) ?? null, name: String(value.relname) });
    }
  });
  return out;
}

function predicatesHint(options: GuardOptions): string {
  return `Filtering, joining, grouping or sorting on a masked column would reveal its values one question at a time. If that is acceptable for this database, set databases.${options.database}.mask_predicates: allow in dockside.yml.`;
}

function charOffset(sql: string, byteOffset: number): number {
  return Buffer.from(sql, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

export async function checkPostgres(input: string, options: GuardOptions): Promise<CheckedStatement> {
  const statements = splitPostgres(input);
  if (statements.length === 0) refuse('one-statement', 'there is no statement, only comments or semicolons.');
  if (statements.length > 1)
    refuse('one-statement', `found ${statements.length} statements; send them one at a time.`);
  // The parser and the server get this same text: comments already removed.
  const sql = statements[0] ?? '';
  let tree: { stmts?: Array<{ stmt?: Json }> };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    if (!hasSqlDetails(err) || !err.sqlDetails) throw err;
    const at = charOffset(sql, err.sqlDetails.cursorPosition);
    // Same message and 1-based position the server gives, so it reads like psql.
    throw new DocksideError('query_failed', `${escapeText(err.sqlDetails.message)} (at position ${at + 1})`, {
      hint: `\`\`\`${escapeText(caretLine(sql, at), 'code')}\`\`\``,
    });
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length === 0) refuse('one-statement', 'there is no statement, only comments or semicolons.');
  if (stmts.length > 1) refuse('one-statement', `found ${stmts.length} statements; send them one at a time.`);
  const stmt = stmts[0]?.stmt ?? null;
  const kind = checkKind(stmt);
  checkTree(stmt, options);
  const taint = new PgTaint(stmt, options.maskColumns);
  if (options.maskPredicates === 'refuse') checkMaskedUses(stmt, taint, predicatesHint(options));
  return {
    sql,
    kind: kind === 'SelectStmt' ? 'select' : 'other',
    mask: pgMaskPlan(stmt, taint),
    touchesMasked: options.maskColumns.length > 0 && (taint.relations.size > 0 || taint.tainted(stmt)),
    relations: rangeVars(stmt),
  };
}
