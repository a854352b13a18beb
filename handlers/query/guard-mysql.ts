import nodeSqlParser from 'node-sql-parser';
import { isObject, type Json, type JsonObject, some, str, walk } from './ast.js';
import { mysqlFunctionRefusal } from './functions.js';
import { article, QueryRefusedError, refuse } from './refuse.js';
import type { CheckedStatement } from './types.js';

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

function funcName(node: JsonObject): string {
  if (typeof node.name === 'string') return node.name;
  const parts = isObject(node.name) && Array.isArray(node.name.name) ? node.name.name : [];
  const last = parts[parts.length - 1];
  return isObject(last) ? (str(last.value) ?? '') : '';
}

function checkTree(stmt: JsonObject): void {
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
      const reason = mysqlFunctionRefusal(funcName(parent));
      if (reason) refuse('side-effect-function', `${reason}.`);
    }
    if (key === 'type' && value === 'assign') {
      refuse('session-state', 'assigning user variables (@x := ...) changes the session.');
    }
  });
}

function columnName(ref: JsonObject): string | null {
  const c = ref.column;
  if (typeof c === 'string') return c;
  if (isObject(c) && isObject(c.expr)) return str(c.expr.value) ?? null;
  return null;
}

function exprMasked(expr: Json, masked: Set<string>): boolean {
  if (masked.size === 0) return false;
  return some(expr, (obj) => {
    if (obj.type !== 'column_ref') return false;
    const name = columnName(obj);
    return name !== null && masked.has(name.toLowerCase());
  });
}

function selectItems(select: JsonObject): JsonObject[] {
  const cols = Array.isArray(select.columns) ? select.columns : [];
  return cols.filter((c): c is JsonObject => isObject(c) && 'expr' in c);
}

function isStar(item: JsonObject): boolean {
  return isObject(item.expr) && item.expr.type === 'column_ref' && columnName(item.expr) === '*';
}

function maskedPositionsOf(select: JsonObject, masked: Set<string>): Set<number> | null {
  const out = new Set<number>();
  // UNION branches hang off `_next`; a position is masked if any branch masks it.
  for (let branch: Json | undefined = select; isObject(branch); branch = branch._next) {
    const items = selectItems(branch);
    if (items.some(isStar)) return null;
    items.forEach((item, i) => {
      if (exprMasked(item.expr ?? null, masked)) out.add(i);
    });
  }
  return out;
}

function maskPlan(
  stmt: JsonObject,
  maskColumns: string[],
): Pick<CheckedStatement, 'maskedNames' | 'maskedPositions'> {
  const masked = new Set(maskColumns.map((c) => c.toLowerCase()));
  for (let changed = true; changed; ) {
    changed = false;
    const add = (name: string | null | undefined) => {
      if (name && !masked.has(name.toLowerCase())) {
        masked.add(name.toLowerCase());
        changed = true;
      }
    };
    walk(stmt, (key, value) => {
      if (key === 'columns' && Array.isArray(value)) {
        for (const item of value) {
          if (isObject(item) && 'expr' in item && exprMasked(item.expr ?? null, masked)) add(str(item.as));
        }
      }
      // WITH x(a, b) AS (...): the CTE's column list renames by position.
      if (key === 'with' && Array.isArray(value)) {
        for (const cte of value) {
          if (!isObject(cte) || !Array.isArray(cte.columns) || !isObject(cte.stmt) || !isObject(cte.stmt.ast))
            continue;
          const positions = maskedPositionsOf(cte.stmt.ast, masked);
          cte.columns.forEach((c, i) => {
            if (positions?.has(i) && isObject(c)) add(columnName(c));
          });
        }
      }
    });
  }
  return {
    maskedNames: masked,
    maskedPositions: stmt.type === 'select' ? maskedPositionsOf(stmt, masked) : null,
  };
}

// Executable comments run their content on the server while parsers skip them as
// comments; optimizer hints can lift MAX_EXECUTION_TIME. Refused wherever they appear,
// even inside a string, rather than trusting a lexer to agree with the server.
const EXECUTABLE_COMMENT = /\/\*\s*(!|M!|\+)/i;

export function checkMysql(sql: string, maskColumns: string[]): CheckedStatement {
  if (EXECUTABLE_COMMENT.test(sql)) {
    refuse('executable-comment', 'MySQL runs the contents of /*! ... */ comments and /*+ ... */ hints.');
  }
  const ast = astify(sql);
  const list = Array.isArray(ast) ? ast : [ast];
  if (list.length === 0) refuse('one-statement', 'there is no statement.');
  if (list.length > 1) refuse('one-statement', `found ${list.length} statements; send them one at a time.`);
  const stmt = list[0];
  if (!isObject(stmt)) refuse('parse', 'the statement could not be read.');
  checkKind(stmt);
  checkTree(stmt);
  const kind = stmt.type === 'select' ? 'select' : 'other';
  return { sql: sql.trim().replace(/;\s*$/, ''), kind, ...maskPlan(stmt, maskColumns) };
}
