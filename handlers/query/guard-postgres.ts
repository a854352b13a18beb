import { hasSqlDetails, parse } from 'libpg-query';
import { DocksideError } from '../../src/errors.js';
import { isObject, type Json, type JsonObject, some, str, walk } from './ast.js';
import { pgFunctionRefusal } from './functions.js';
import { article, caretLine, refuse } from './refuse.js';
import type { CheckedStatement } from './types.js';

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

function checkTree(stmt: Json): void {
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
      const reason = pgFunctionRefusal(funcName(value));
      if (reason) refuse('side-effect-function', `${reason}.`);
    }
  });
}

function funcName(call: JsonObject): string {
  const parts = Array.isArray(call.funcname) ? call.funcname : [];
  const last = parts[parts.length - 1];
  return isObject(last) && isObject(last.String) ? (str(last.String.sval) ?? '') : '';
}

function columnRefFields(ref: JsonObject): Array<string | '*'> {
  const fields = Array.isArray(ref.fields) ? ref.fields : [];
  return fields.map((f) => (isObject(f) && isObject(f.String) ? (str(f.String.sval) ?? '') : '*'));
}

/** Names of relations, aliases and CTEs: a bare reference to one of them is a whole row. */
function relationNames(stmt: Json): Set<string> {
  const names = new Set<string>();
  walk(stmt, (key, value) => {
    if (!isObject(value)) return;
    if (key === 'RangeVar' && str(value.relname)) names.add(String(value.relname).toLowerCase());
    if (key === 'alias' && str(value.aliasname)) names.add(String(value.aliasname).toLowerCase());
    if (key === 'CommonTableExpr' && str(value.ctename)) names.add(String(value.ctename).toLowerCase());
  });
  return names;
}

interface MaskScope {
  masked: Set<string>;
  relations: Set<string>;
}

function exprMasked(expr: Json, scope: MaskScope): boolean {
  if (scope.masked.size === 0) return false;
  return some(expr, (obj) => {
    if (!isObject(obj.ColumnRef)) return false;
    const fields = columnRefFields(obj.ColumnRef);
    const last = fields[fields.length - 1];
    // t.* or a bare table name inside an expression (row_to_json(u)) carries every column.
    if (last === '*') return fields.length > 1;
    if (last === undefined) return false;
    const name = last.toLowerCase();
    return scope.masked.has(name) || (fields.length === 1 && scope.relations.has(name));
  });
}

function defaultName(expr: Json): string | null {
  const [kind, body] = only(expr);
  if (kind === 'FuncCall') return funcName(body).toLowerCase();
  if (kind === 'TypeCast') return defaultName(body.arg ?? null);
  return null;
}

function targets(select: JsonObject): JsonObject[] {
  const list = Array.isArray(select.targetList) ? select.targetList : [];
  return list.flatMap((t) => (isObject(t) && isObject(t.ResTarget) ? [t.ResTarget] : []));
}

/** Branches of a UNION/INTERSECT/EXCEPT, left to right; a plain SELECT is its own branch. */
function branches(select: JsonObject): JsonObject[] {
  if (str(select.op) && select.op !== 'SETOP_NONE') {
    // larg/rarg are SelectStmt bodies without the usual node wrapper.
    return [select.larg, select.rarg].flatMap((b) => (isObject(b) ? branches(b) : []));
  }
  return [select];
}

function hasStar(t: JsonObject): boolean {
  const [kind, body] = only(t.val ?? null);
  return kind === 'ColumnRef' && columnRefFields(body).includes('*');
}

/** Positions of a select list that carry masked data, or null when a `*` makes positions unknowable. */
function maskedPositionsOf(select: JsonObject, scope: MaskScope): Set<number> | null {
  const out = new Set<number>();
  for (const branch of branches(select)) {
    const list = targets(branch);
    if (list.some(hasStar)) return null;
    list.forEach((t, i) => {
      if (exprMasked(t.val ?? null, scope)) out.add(i);
    });
  }
  return out;
}

function maskPlan(
  stmt: Json,
  maskColumns: string[],
): Pick<CheckedStatement, 'maskedNames' | 'maskedPositions'> {
  const scope: MaskScope = {
    masked: new Set(maskColumns.map((c) => c.toLowerCase())),
    relations: relationNames(stmt),
  };
  // Follow aliases through subqueries and CTEs until nothing new is learned.
  for (let changed = true; changed; ) {
    changed = false;
    const add = (name: string | null | undefined) => {
      if (name && !scope.masked.has(name.toLowerCase())) {
        scope.masked.add(name.toLowerCase());
        changed = true;
      }
    };
    walk(stmt, (key, value) => {
      if (key === 'ResTarget' && isObject(value) && exprMasked(value.val ?? null, scope)) {
        add(str(value.name) ?? defaultName(value.val ?? null));
      }
      if (key === 'CommonTableExpr' && isObject(value) && Array.isArray(value.aliascolnames)) {
        const inner = only(value.ctequery ?? null);
        const positions = inner[0] === 'SelectStmt' ? maskedPositionsOf(inner[1], scope) : null;
        value.aliascolnames.forEach((c, i) => {
          if (positions?.has(i) && isObject(c) && isObject(c.String)) add(str(c.String.sval));
        });
      }
      if (key === 'RangeSubselect' && isObject(value) && isObject(value.alias)) {
        const cols = Array.isArray(value.alias.colnames) ? value.alias.colnames : [];
        const inner = only(value.subquery ?? null);
        const positions = inner[0] === 'SelectStmt' ? maskedPositionsOf(inner[1], scope) : null;
        cols.forEach((c, i) => {
          if (positions?.has(i) && isObject(c) && isObject(c.String)) add(str(c.String.sval));
        });
      }
    });
  }
  const [kind, body] = only(stmt);
  return {
    maskedNames: scope.masked,
    maskedPositions: kind === 'SelectStmt' ? maskedPositionsOf(body, scope) : null,
  };
}

function charOffset(sql: string, byteOffset: number): number {
  return Buffer.from(sql, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

export async function checkPostgres(sql: string, maskColumns: string[]): Promise<CheckedStatement> {
  let tree: { stmts?: Array<{ stmt?: Json; stmt_location?: number; stmt_len?: number }> };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    if (!hasSqlDetails(err) || !err.sqlDetails) throw err;
    const at = charOffset(sql, err.sqlDetails.cursorPosition);
    // Same message and 1-based position the server gives, so it reads like psql.
    throw new DocksideError('query_failed', `${err.sqlDetails.message} (at position ${at + 1})`, {
      hint: `\`\`\`${caretLine(sql, at)}\`\`\``,
    });
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length === 0) refuse('one-statement', 'there is no statement, only comments or semicolons.');
  if (stmts.length > 1) refuse('one-statement', `found ${stmts.length} statements; send them one at a time.`);
  const first = stmts[0] ?? {};
  const stmt = first.stmt ?? null;
  const kind = checkKind(stmt);
  checkTree(stmt);
  // libpg_query reports byte offsets; slicing bytes keeps non-ASCII statements intact.
  const bytes = Buffer.from(sql, 'utf8');
  const start = first.stmt_location ?? 0;
  const text = (
    first.stmt_len ? bytes.subarray(start, start + first.stmt_len) : bytes.subarray(start)
  ).toString('utf8');
  return {
    sql: text.trim(),
    kind: kind === 'SelectStmt' ? 'select' : 'other',
    ...maskPlan(stmt, maskColumns),
  };
}
