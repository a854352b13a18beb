import { isObject, type Json, type JsonObject, str, walk } from './ast.js';
import type { MaskPlan } from './types.js';

/**
 * Which parts of a PostgreSQL statement carry masked data, worked out from the parse tree
 * and failing closed: a name is "tainted" when it is a masked column, or any name a
 * tainted value is given (aliases, column lists of CTEs, derived tables, VALUES, table
 * functions, and every name of a column list on a table, whose order the tree does not
 * show). Whole-row values (`u`, `u.*` inside an expression, `(u).x`) are always tainted.
 */

export type Node = [string, JsonObject];

export function only(node: Json | undefined): Node {
  if (!isObject(node)) return ['', {}];
  const [key, value] = Object.entries(node)[0] ?? ['', {}];
  return [key, isObject(value) ? value : {}];
}

export const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
export const sval = (v: Json): string | undefined =>
  isObject(v) && isObject(v.String) ? str(v.String.sval) : undefined;

export function funcNameParts(call: JsonObject): string[] {
  return list(call.funcname).map((p) => sval(p) ?? '');
}

function fields(ref: JsonObject): Array<string | '*'> {
  return list(ref.fields).map((f) => sval(f) ?? '*');
}

export class PgTaint {
  readonly names: Set<string>;
  readonly relations = new Set<string>();
  derived = false;

  constructor(
    private readonly stmt: Json,
    masked: string[],
  ) {
    this.names = new Set(masked.map((c) => c.toLowerCase()));
    // Names whose bare use is a whole row that may hold masked columns: tables, CTEs,
    // subqueries; a table function only when its arguments carry masked data.
    const aliasOf = (v: JsonObject) => (isObject(v.alias) ? str(v.alias.aliasname) : undefined);
    const functions: JsonObject[] = [];
    walk(stmt, (key, value) => {
      if (!isObject(value)) return;
      const names =
        key === 'RangeVar'
          ? [str(value.relname), aliasOf(value)]
          : key === 'RangeSubselect'
            ? [aliasOf(value)]
            : key === 'CommonTableExpr'
              ? [str(value.ctename)]
              : [];
      if (key === 'RangeFunction') functions.push(value);
      for (const n of names) if (n) this.relations.add(n.toLowerCase());
    });
    for (const f of functions) {
      const alias = aliasOf(f);
      if (alias && this.tainted(f.functions)) this.relations.add(alias.toLowerCase());
    }
    if (this.names.size > 0) this.propagate();
  }

  get active(): boolean {
    return this.names.size > 0;
  }

  /** A column reference, whole-row value or scalar subquery that carries masked data by itself. */
  atom(expr: Json | undefined): string | null {
    if (!this.active) return null;
    const [kind, body] = only(expr);
    if (kind === 'ColumnRef') {
      const f = fields(body);
      const last = f[f.length - 1];
      if (last === '*') return f.length > 1 ? `${f.slice(0, -1).join('.')}.*` : null;
      if (last === undefined) return null;
      const name = last.toLowerCase();
      if (this.names.has(name)) return last;
      if (f.length === 1 && this.relations.has(name)) return `${last} (a whole row)`;
      return null;
    }
    if (kind === 'A_Indirection' && this.tainted(body.arg)) return 'a field of a row';
    if (kind === 'SubLink' && body.subLinkType !== 'EXISTS_SUBLINK') {
      const [sk, sub] = only(body.subselect);
      if (sk === 'SelectStmt' && this.outputPositions(sub)?.size !== 0) return 'a subquery over masked data';
    }
    return null;
  }

  /** Carries masked data; IS [NOT] NULL and count() of a masked column say nothing about its values. */
  tainted(expr: Json | undefined): boolean {
    if (!this.active) return false;
    const visit = (n: Json | undefined): boolean => {
      if (Array.isArray(n)) return n.some(visit);
      if (!isObject(n)) return false;
      if (this.atom(n) !== null) return true;
      if (this.revealsNothing(n)) return false;
      return Object.values(n).some(visit);
    };
    return visit(expr);
  }

  revealsNothing(node: JsonObject): boolean {
    const [kind, body] = only(node);
    if (kind === 'NullTest') return this.atom(body.arg) !== null;
    if (kind === 'FuncCall' && isPlainCount(body)) return this.atom(list(body.args)[0]) !== null;
    return false;
  }

  /** Output positions of a SELECT that carry masked data; null when a `*` hides the positions. */
  outputPositions(select: JsonObject): Set<number> | null {
    const out = new Set<number>();
    for (const branch of branches(select)) {
      if (Array.isArray(branch.valuesLists)) {
        for (const row of branch.valuesLists) {
          list(only(row)[1].items).forEach((v, i) => {
            if (this.tainted(v)) out.add(i);
          });
        }
        continue;
      }
      const targets = resTargets(branch);
      if (targets.some((t) => isStar(t.val))) return null;
      targets.forEach((t, i) => {
        if (this.tainted(t.val)) out.add(i);
      });
    }
    return out;
  }

  private propagate(): void {
    for (let changed = true; changed; ) {
      changed = false;
      const add = (name: string | undefined) => {
        if (name && !this.names.has(name.toLowerCase())) {
          this.names.add(name.toLowerCase());
          changed = true;
        }
      };
      const byPosition = (colnames: Json | undefined, positions: Set<number> | null) => {
        list(colnames).forEach((c, i) => {
          if (positions === null || positions.has(i)) add(sval(c));
        });
      };
      const top = only(this.stmt);
      walk(this.stmt, (key, value, parent) => {
        if (!isObject(value)) return;
        if (key === 'ResTarget' && this.tainted(value.val)) {
          add(str(value.name) ?? figureColname(value.val));
          // A tainted output below the top level: `*` over it cannot be told apart by position.
          if (parent !== top[1]) this.derived = true;
        }
        // UNION and friends: result columns are named after the first branch, whichever
        // branch carries the masked data.
        if (str(value.op) && value.op !== 'SETOP_NONE') {
          const positions = this.outputPositions(value);
          const first = branches(value)[0];
          resTargets(first ?? {}).forEach((t, i) => {
            if (positions === null || positions.has(i)) add(str(t.name) ?? figureColname(t.val));
          });
        }
        if (key === 'CommonTableExpr') {
          const [k, q] = only(value.ctequery);
          if (k === 'SelectStmt') byPosition(value.aliascolnames, this.outputPositions(q));
        }
        if (key === 'RangeSubselect' && isObject(value.alias)) {
          const [k, q] = only(value.subquery);
          if (k === 'SelectStmt') byPosition(value.alias.colnames, this.outputPositions(q));
        }
        if (key === 'RangeFunction') {
          const anyTainted = this.tainted(value.functions);
          if (anyTainted) {
            this.derived = true;
            if (isObject(value.alias)) byPosition(value.alias.colnames, null);
            for (const def of list(value.coldeflist)) add(str(only(def)[1].colname));
          }
        }
        // users AS t(i, e): the tree does not say which name is which column.
        if (key === 'RangeVar' && isObject(value.alias) && list(value.alias.colnames).length > 0) {
          byPosition(value.alias.colnames, null);
        }
      });
    }
  }
}

function branches(select: JsonObject): JsonObject[] {
  if (str(select.op) && select.op !== 'SETOP_NONE') {
    return [select.larg, select.rarg].flatMap((b) => (isObject(b) ? branches(b) : []));
  }
  return [select];
}

export function resTargets(select: JsonObject): JsonObject[] {
  return list(select.targetList).flatMap((t) => (isObject(t) && isObject(t.ResTarget) ? [t.ResTarget] : []));
}

function isStar(val: Json | undefined): boolean {
  const [kind, body] = only(val);
  return kind === 'ColumnRef' && fields(body).includes('*');
}

/** The name PostgreSQL gives an unnamed output column (FigureColname), or "?column?". */
function figureColname(expr: Json | undefined): string {
  const [kind, body] = only(expr);
  switch (kind) {
    case 'ColumnRef': {
      const f = fields(body);
      return String(f[f.length - 1] ?? '?column?');
    }
    case 'A_Indirection': {
      const last = list(body.indirection).at(-1);
      return sval(last ?? null) ?? figureColname(body.arg);
    }
    case 'FuncCall':
      return funcNameParts(body).at(-1) ?? '?column?';
    case 'TypeCast': {
      const inner = figureColname(body.arg);
      if (inner !== '?column?') return inner;
      const typeNames = isObject(body.typeName) ? list(body.typeName.names) : [];
      return sval(typeNames.at(-1) ?? null) ?? '?column?';
    }
    case 'CollateClause':
      return figureColname(body.arg);
    case 'A_Expr':
      return body.kind === 'AEXPR_NULLIF' ? 'nullif' : '?column?';
    case 'CaseExpr':
      return 'case';
    case 'A_ArrayExpr':
      return 'array';
    case 'RowExpr':
      return 'row';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return body.op === 'IS_LEAST' ? 'least' : 'greatest';
    case 'SubLink': {
      if (body.subLinkType === 'EXISTS_SUBLINK') return 'exists';
      if (body.subLinkType === 'ARRAY_SUBLINK') return 'array';
      const [, sub] = only(body.subselect);
      const first = resTargets(sub)[0];
      return first ? (str(first.name) ?? figureColname(first.val)) : '?column?';
    }
    default:
      return '?column?';
  }
}

export function isPlainCount(call: JsonObject): boolean {
  const name = funcNameParts(call).at(-1)?.toLowerCase();
  return (
    name === 'count' &&
    list(call.args).length === 1 &&
    !call.agg_distinct &&
    call.agg_filter === undefined &&
    call.agg_order === undefined &&
    call.over === undefined
  );
}

/** What the runner needs to mask the result: positions, names and whether `*` may hide masked data. */
export function pgMaskPlan(stmt: Json, taint: PgTaint): MaskPlan {
  const [kind, body] = only(stmt);
  return {
    positions: kind === 'SelectStmt' ? taint.outputPositions(body) : null,
    names: taint.names,
    derived: taint.derived,
    derivedRelations: new Set(),
  };
}
