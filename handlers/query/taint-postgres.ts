import { isObject, type Json, type JsonObject, str, walk } from './ast.js';
import { refuse } from './refuse.js';
import type { MaskPlan } from './types.js';

/**
 * Which parts of a PostgreSQL statement carry masked data, worked out from the parse tree
 * and failing closed: a name is "tainted" when it is a masked column, or any name a
 * tainted value is given (aliases, column lists of CTEs, derived tables, VALUES, table
 * functions, and every name of a column list on a table, whose order the tree does not
 * show). Whole-row values (`u`, `u.*` inside an expression, `(u).x`) are always tainted.
 */

type Node = [string, JsonObject];

function only(node: Json | undefined): Node {
  if (!isObject(node)) return ['', {}];
  const [key, value] = Object.entries(node)[0] ?? ['', {}];
  return [key, isObject(value) ? value : {}];
}

const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const sval = (v: Json): string | undefined =>
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

function resTargets(select: JsonObject): JsonObject[] {
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

/**
 * Refuses every use of masked data that reveals something about the values: anywhere
 * but as an output column of its own, the argument of IS [NOT] NULL, or of count()
 * (without DISTINCT). That covers WHERE, JOIN ... ON/USING, GROUP BY, HAVING, ORDER BY,
 * window definitions, LIMIT, DISTINCT, set operations that compare rows, and
 * expressions in the select list (whose errors would echo the value).
 */
export function checkMaskedUses(stmt: Json, taint: PgTaint, hint: string): void {
  if (!taint.active) return;
  const violation = (what: string, where: string): never =>
    refuse(
      'masked-predicate',
      `${what} is masked and is used in ${where}; masked columns can only be selected, counted or tested with IS [NOT] NULL.`,
      hint,
    );

  const expr = (node: Json | undefined, where: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) expr(n, where);
      return;
    }
    if (!isObject(node)) return;
    const atom = taint.atom(node);
    if (atom !== null) violation(`"${atom}"`, where);
    const [kind, body] = only(node);
    if (kind === 'SelectStmt') {
      select(body);
      return;
    }
    if (kind === 'SubLink') {
      expr(body.testexpr, where);
      expr(body.subselect, where);
      return;
    }
    if (taint.revealsNothing(node)) return;
    for (const value of Object.values(node)) expr(value, where);
  };

  const from = (node: Json | undefined): void => {
    if (Array.isArray(node)) {
      for (const n of node) from(n);
      return;
    }
    const [kind, body] = only(node ?? null);
    if (kind === 'JoinExpr') {
      if (body.isNatural)
        violation('a column', 'a NATURAL JOIN (it compares columns by name; name the join columns)');
      for (const u of list(body.usingClause)) {
        const name = sval(u);
        if (name && taint.names.has(name.toLowerCase())) violation(`"${name}"`, 'JOIN ... USING');
      }
      from(body.larg);
      from(body.rarg);
      expr(body.quals, 'JOIN ... ON');
    } else if (kind === 'RangeSubselect') {
      expr(body.subquery, 'a subquery');
    } else if (kind === 'RangeFunction') {
      expr(body.functions, 'a function in FROM');
    } else if (kind !== 'RangeVar' && kind !== '') {
      expr(node, 'FROM');
    }
  };

  const select = (s: JsonObject): void => {
    if (str(s.op) && s.op !== 'SETOP_NONE') {
      const positions = taint.outputPositions(s);
      if (!s.all && (positions === null || positions.size > 0)) {
        violation('a column', `${String(s.op).replace('SETOP_', '')} (it compares rows; UNION ALL does not)`);
      }
      for (const b of [s.larg, s.rarg]) if (isObject(b)) select(b);
    }
    for (const cte of list(isObject(s.withClause) ? s.withClause.ctes : undefined)) {
      expr(only(cte)[1].ctequery, 'a WITH query');
    }
    for (const t of resTargets(s)) {
      if (taint.atom(t.val) === null) expr(t.val, 'an expression in the select list');
      else {
        const [kind, body] = only(t.val);
        if (kind === 'SubLink') expr(body.subselect, 'a subquery');
      }
    }
    for (const row of list(s.valuesLists)) {
      for (const v of list(only(row)[1].items)) if (taint.atom(v) === null) expr(v, 'VALUES');
    }
    const distinct = list(s.distinctClause);
    if (distinct.length > 0) {
      if (distinct.some((d) => isObject(d) && Object.keys(d).length > 0)) expr(distinct, 'DISTINCT ON');
      else if (taint.outputPositions(s)?.size !== 0 && resTargets(s).length > 0)
        violation('a column', 'SELECT DISTINCT (it compares rows)');
    }
    positional(s, s.sortClause, 'ORDER BY');
    positional(s, s.groupClause, 'GROUP BY');
    from(s.fromClause);
    expr(s.whereClause, 'WHERE');
    expr(s.groupClause, 'GROUP BY');
    expr(s.havingClause, 'HAVING');
    expr(s.sortClause, 'ORDER BY');
    expr(s.windowClause, 'a WINDOW clause');
    expr(s.limitCount, 'LIMIT');
    expr(s.limitOffset, 'OFFSET');
  };

  // ORDER BY 2 / GROUP BY 2 name an output column by its position.
  const positional = (s: JsonObject, items: Json | undefined, where: string): void => {
    for (const item of list(items)) {
      const [k, b] = only(item);
      const [tk, tb]: Node = k === 'SortBy' ? only(b.node) : [k, b];
      if (tk !== 'A_Const' || !isObject(tb.ival)) continue;
      const n = Number(tb.ival.ival ?? 0) - 1;
      const positions = taint.outputPositions(s);
      if (positions === null || positions.has(n)) violation(`output column ${n + 1}`, where);
    }
  };

  const [kind, body] = only(stmt);
  if (kind === 'SelectStmt') select(body);
  else if (kind === 'ExplainStmt') checkMaskedUses(body.query ?? null, taint, hint);
}

function isPlainCount(call: JsonObject): boolean {
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
