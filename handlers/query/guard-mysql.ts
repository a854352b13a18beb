import nodeSqlParser from 'node-sql-parser';
import { isObject, type Json, type JsonObject, str, walk } from './ast.js';
import { checkFunction } from './functions.js';
import { canonicalMysql } from './lexer-mysql.js';
import { article, QueryRefusedError, refuse } from './refuse.js';
import { checkMysqlMaskedUses, MysqlTaint, mysqlMaskPlan } from './taint-mysql.js';
import type { CheckedStatement, GuardOptions } from './types.js';
import type { RelationRef } from './views.js';

/**
 * Layer 1 for MySQL and MariaDB: the statement check, with node-sql-parser's MySQL and
 * MariaDB grammars. A statement neither grammar reads is not run (the runner asks the
 * server for its own syntax message without executing anything).
 */

const parser = new nodeSqlParser.Parser();
const READ_KINDS = new Set(['select', 'show', 'desc', 'explain']);
const STATEMENT_KINDS = new Set([
  'insert',
  'update',
  'delete',
  'replace',
  'create',
  'drop',
  'alter',
  'truncate',
  'rename',
  'call',
  'set',
  'lock',
  'unlock',
  'grant',
  'revoke',
  'load_data',
  'use',
  'transaction',
]);

/** The parser failed; `message` is its own, the runner replaces it with the server's. */
export class MysqlParseError extends QueryRefusedError {
  constructor(readonly parserMessage: string) {
    super(
      'parse',
      `dockside's MySQL parser could not read this statement (${parserMessage}), so it was not run.`,
    );
  }
}

function astify(sql: string): Json {
  let firstError: unknown;
  for (const database of ['MySQL', 'MariaDB']) {
    try {
      return parser.astify(sql, { database }) as unknown as Json;
    } catch (err) {
      firstError ??= err;
    }
  }
  const message = firstError instanceof Error ? firstError.message : String(firstError);
  throw new MysqlParseError(message.length > 160 ? `${message.slice(0, 160)}...` : message);
}

function checkKind(stmt: JsonObject): void {
  const kind = str(stmt.type) ?? 'unknown';
  if (!READ_KINDS.has(kind))
    refuse('read-kind', `this is ${article(kind.toUpperCase())} statement, not a read.`);
  if (kind === 'explain' && isObject(stmt.expr)) checkKind(stmt.expr);
}

function funcName(node: JsonObject): { name: string; schema: string | null } {
  if (typeof node.name === 'string') return { name: node.name, schema: null };
  const parts = (isObject(node.name) && Array.isArray(node.name.name) ? node.name.name : []).map((p) =>
    isObject(p) ? (str(p.value) ?? '') : '',
  );
  const schema = isObject(node.name) && isObject(node.name.schema) ? str(node.name.schema.value) : undefined;
  return {
    name: parts[parts.length - 1] ?? '',
    schema: parts.length > 1 ? parts.slice(0, -1).join('.') : (schema ?? null),
  };
}

/** Schemas and tables that show column values or other sessions' statements. */
const STATS_SCHEMAS = new Set(['mysql', 'performance_schema', 'sys']);
const STATS_TABLES = new Set([
  'column_stats',
  'column_statistics',
  'processlist',
  'innodb_trx',
  'index_stats',
  'table_stats',
]);

function checkTree(stmt: JsonObject, options: GuardOptions): void {
  walk(stmt, (key, value, parent) => {
    if (key === 'type' && parent !== stmt && typeof value === 'string' && STATEMENT_KINDS.has(value)) {
      refuse('data-changing-cte', `it contains ${value.toUpperCase()} inside the statement.`);
    }
    if (key === 'into' && isObject(value) && value.position !== null && value.position !== undefined) {
      const what = str(value.keyword)?.toUpperCase() ?? 'INTO';
      refuse(
        'select-into',
        `SELECT ... INTO ${what === 'VAR' ? '@variable' : what} writes outside the result.`,
      );
    }
    if (key === 'locking_read' && value) {
      refuse('locking-read', `${String(value)} takes row locks.`);
    }
    if (key === 'type' && (value === 'function' || value === 'aggr_func')) {
      const { name, schema } = funcName(parent);
      checkFunction('mysql', options.database, name, schema, options.allowFunctions);
    }
    if (key === 'type' && value === 'assign') {
      refuse('session-state', 'assigning user variables (@x := ...) changes the session.');
    }
    if (key === 'table' && typeof value === 'string' && 'db' in parent && options.maskColumns.length > 0) {
      const db = (str(parent.db) ?? '').toLowerCase();
      if (STATS_SCHEMAS.has(db) || STATS_TABLES.has(value.toLowerCase())) {
        refuse(
          'statistics-view',
          `${db ? `${db}.` : ''}${value} shows column values or other sessions' statements, and this database has masked columns.`,
        );
      }
    }
  });
}

function tableRefs(stmt: JsonObject): RelationRef[] {
  const out: RelationRef[] = [];
  walk(stmt, (key, value, parent) => {
    if (key === 'table' && typeof value === 'string' && 'db' in parent) {
      out.push({ schema: str(parent.db) ?? null, name: value });
    }
  });
  return out;
}

function predicatesHint(options: GuardOptions): string {
  return `Filtering, joining, grouping or sorting on a masked column would reveal its values one question at a time. If that is acceptable for this database, set databases.${options.database}.mask_predicates: allow in dockside.yml.`;
}

const SHOW_OTHERS = /^SHOW\s+(?:FULL\s+)?PROCESSLIST\b|^SHOW\s+(?:EXPLAIN|ANALYZE)\b|^SHOW\s+ENGINE\b/i;

export function checkMysql(input: string, options: GuardOptions): CheckedStatement {
  const statements = canonicalMysql(input);
  if (statements.length === 0) refuse('one-statement', 'there is no statement.');
  if (statements.length > 1)
    refuse('one-statement', `found ${statements.length} statements; send them one at a time.`);
  // The parser and the server get this same canonical text.
  const sql = statements[0] ?? '';
  if (options.maskColumns.length > 0 && SHOW_OTHERS.test(sql)) {
    refuse('statistics-view', "it shows other sessions' statements, and this database has masked columns.");
  }
  const ast = astify(sql);
  const list = Array.isArray(ast) ? ast : [ast];
  if (list.length !== 1) refuse('one-statement', `found ${list.length} statements; send them one at a time.`);
  const stmt = list[0];
  if (!isObject(stmt)) refuse('parse', 'the statement could not be read.');
  checkKind(stmt);
  checkTree(stmt, options);
  const taint = new MysqlTaint(stmt, options.maskColumns);
  if (options.maskPredicates === 'refuse') checkMysqlMaskedUses(stmt, taint, predicatesHint(options));
  return {
    sql,
    kind: stmt.type === 'select' ? 'select' : 'other',
    mask: mysqlMaskPlan(stmt, taint),
    touchesMasked: options.maskColumns.length > 0 && (taint.tables.size > 0 || taint.tainted(stmt)),
    relations: tableRefs(stmt),
  };
}
