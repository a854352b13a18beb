import { isObject, type Json, type JsonObject, str, walk } from './ast.js';
import { refuseMaskedUse } from './refuse.js';
import type { MaskPlan } from './types.js';

/**
 * Which parts of a MySQL/MariaDB statement (node-sql-parser's tree) carry masked data,
 * failing closed the same way as on PostgreSQL: masked names, and every name a tainted
 * value is given (aliases, CTE column lists, derived tables). MySQL names an unnamed
 * expression after its text, which the tree does not keep, so a `*` over a derived
 * table with a tainted expression masks every column that is not a plain base column.
 */

const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

function columnName(ref: JsonObject): string | null {
  const c = ref.column;
  if (typeof c === 'string') return c;
  if (isObject(c) && isObject(c.expr)) return str(c.expr.value) ?? null;
  return null;
}

/** A subquery node: `{ ast: {...select} }` in expressions and FROM. */
function subquery(node: Json | undefined): JsonObject | null {
  if (!isObject(node)) return null;
  if (isObject(node.ast) && node.ast.type === 'select') return node.ast;
  return null;
}

function selectItems(select: JsonObject): JsonObject[] {
  return list(select.columns).filter((c): c is JsonObject => isObject(c) && 'expr' in c);
}

function isStar(item: JsonObject): boolean {
  return isObject(item.expr) && item.expr.type === 'column_ref' && columnName(item.expr) === '*';
}

function branches(select: JsonObject): JsonObject[] {
  const out: JsonObject[] = [];
  for (let b: Json | undefined = select; isObject(b); b = b._next) out.push(b);
  return out;
}

export class MysqlTaint {
  readonly names: Set<string>;
  readonly derivedRelations = new Set<string>();
  readonly tables = new Set<string>();
  derived = false;

  constructor(
    private readonly stmt: JsonObject,
    masked: string[],
  ) {
    this.names = new Set(masked.map((c) => c.toLowerCase()));
    walk(stmt, (key, value, parent) => {
      if (key === 'table' && typeof value === 'string' && 'db' in parent)
        this.tables.add(value.toLowerCase());
      if (key === 'with' && Array.isArray(value)) {
        for (const cte of value) {
          const name = isObject(cte) && isObject(cte.name) ? str(cte.name.value) : undefined;
          if (name) this.derivedRelations.add(name.toLowerCase());
        }
      }
      if (key === 'from' && Array.isArray(value)) {
        for (const f of value) {
          if (isObject(f) && isObject(f.expr) && str(f.as))
            this.derivedRelations.add(String(f.as).toLowerCase());
        }
      }
    });
    if (this.names.size > 0) this.propagate();
  }

  get active(): boolean {
    return this.names.size > 0;
  }

  atom(node: Json | undefined): string | null {
    if (!this.active || !isObject(node)) return null;
    if (node.type === 'column_ref') {
      const name = columnName(node);
      return name !== null && name !== '*' && this.names.has(name.toLowerCase()) ? name : null;
    }
    const sub = subquery(node);
    if (sub && this.outputPositions(sub)?.size !== 0) return 'a subquery over masked data';
    return null;
  }

  /** Carries masked data; IS [NOT] NULL and count() of a masked column say nothing about its values. */
  tainted(node: Json | undefined): boolean {
    if (!this.active) return false;
    const visit = (n: Json | undefined): boolean => {
      if (Array.isArray(n)) return n.some(visit);
      if (!isObject(n)) return false;
      if (this.atom(n) !== null) return true;
      if (this.revealsNothing(n)) return false;
      return Object.values(n).some(visit);
    };
    return visit(node);
  }

  revealsNothing(n: JsonObject): boolean {
    if (
      n.type === 'binary_expr' &&
      /^IS( NOT)?$/i.test(String(n.operator)) &&
      isObject(n.right) &&
      n.right.type === 'null'
    )
      return this.atom(n.left) !== null;
    if (
      n.type === 'aggr_func' &&
      String(n.name).toUpperCase() === 'COUNT' &&
      isObject(n.args) &&
      !n.args.distinct &&
      n.over === null
    )
      return this.atom(n.args.expr) !== null;
    return false;
  }

  outputPositions(select: JsonObject): Set<number> | null {
    const out = new Set<number>();
    for (const branch of branches(select)) {
      const items = selectItems(branch);
      if (items.some(isStar)) return null;
      items.forEach((item, i) => {
        if (this.tainted(item.expr)) out.add(i);
      });
    }
    return out;
  }

  private propagate(): void {
    for (let changed = true; changed; ) {
      changed = false;
      const add = (name: string | null | undefined) => {
        if (name && !this.names.has(name.toLowerCase())) {
          this.names.add(name.toLowerCase());
          changed = true;
        }
      };
      walk(this.stmt, (key, value, parent) => {
        if (key === 'columns' && Array.isArray(value) && parent.type === 'select') {
          for (const item of value) {
            if (!isObject(item) || !this.tainted(item.expr)) continue;
            const expr = isObject(item.expr) ? item.expr : {};
            const name = str(item.as) ?? (expr.type === 'column_ref' ? columnName(expr) : null);
            // An unnamed expression below the top is named after its text, which the tree
            // does not keep: `*` over it cannot be matched by name.
            if (name === null && parent !== this.stmt) this.derived = true;
            add(name);
          }
        }
        // UNION: each result column is named after the first branch, whichever branch
        // carries the masked data.
        if (key === '_next' && isObject(value) && !isObject(parent._prev_)) {
          const positions = this.outputPositions(parent);
          selectItems(parent).forEach((item, i) => {
            if (positions !== null && !positions.has(i)) return;
            const expr = isObject(item.expr) ? item.expr : {};
            const name = str(item.as) ?? (expr.type === 'column_ref' ? columnName(expr) : null);
            if (name === null || name === '*') this.derived = true;
            else add(name);
          });
        }
        if (key === 'with' && Array.isArray(value)) {
          for (const cte of value) {
            if (!isObject(cte)) continue;
            const q = subquery(cte.stmt);
            const positions = q ? this.outputPositions(q) : null;
            list(cte.columns).forEach((c, i) => {
              if ((positions === null || positions.has(i)) && isObject(c)) add(columnName(c));
            });
          }
        }
      });
    }
  }
}

/** Same rule as on PostgreSQL: masked data may only be selected, counted, or tested with IS [NOT] NULL. */
export function checkMysqlMaskedUses(stmt: JsonObject, taint: MysqlTaint, hint: string): void {
  if (!taint.active) return;
  const violation = (what: string, where: string): never => refuseMaskedUse(what, where, hint);

  const expr = (node: Json | undefined, where: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) expr(n, where);
      return;
    }
    if (!isObject(node)) return;
    const atom = taint.atom(node);
    if (atom !== null) violation(`"${atom}"`, where);
    const sub = subquery(node);
    if (sub) {
      select(sub);
      return;
    }
    if (taint.revealsNothing(node)) return;
    for (const value of Object.values(node)) expr(value, where);
  };

  const select = (s: JsonObject): void => {
    const all = branches(s);
    if (all.length > 1) {
      const positions = taint.outputPositions(s);
      const comparing = all.slice(0, -1).some((b) => !/\ball\b/i.test(String(b.set_op ?? '')));
      if (comparing && (positions === null || positions.size > 0)) {
        violation('a column', 'UNION/INTERSECT/EXCEPT (it compares rows; UNION ALL does not)');
      }
    }
    for (const b of all) one(b);
  };

  const one = (s: JsonObject): void => {
    // WITH and derived tables may output masked columns as they are; their users are checked by name.
    for (const cte of list(s.with)) {
      const q = isObject(cte) ? subquery(cte.stmt) : null;
      if (q) select(q);
    }
    const items = selectItems(s);
    for (const item of items) {
      if (taint.atom(item.expr) === null) expr(item.expr, 'an expression in the select list');
      else {
        const sub = subquery(item.expr);
        if (sub) select(sub);
      }
    }
    if (s.distinct && (taint.outputPositions({ ...s, _next: null })?.size ?? 1) > 0) {
      violation('a column', 'SELECT DISTINCT (it compares rows)');
    }
    for (const f of list(s.from)) {
      if (!isObject(f)) continue;
      if (/natural/i.test(String(f.join ?? '')))
        violation('a column', 'a NATURAL JOIN (it compares columns by name)');
      for (const u of list(f.using)) {
        const name = isObject(u) ? str(u.value) : str(u);
        if (name && taint.names.has(name.toLowerCase())) violation(`"${name}"`, 'JOIN ... USING');
      }
      expr(f.on, 'JOIN ... ON');
      const derived = subquery(f.expr);
      if (derived) select(derived);
      else if (isObject(f.expr)) expr(f.expr, 'a derived table');
    }
    expr(s.where, 'WHERE');
    expr(isObject(s.groupby) ? s.groupby.columns : s.groupby, 'GROUP BY');
    expr(s.having, 'HAVING');
    expr(s.orderby, 'ORDER BY');
    expr(s.window, 'a WINDOW clause');
    expr(s.limit, 'LIMIT');
    const positions = taint.outputPositions({ ...s, _next: null });
    for (const [items, where] of [
      [list(s.orderby), 'ORDER BY'],
      [list(isObject(s.groupby) ? s.groupby.columns : s.groupby), 'GROUP BY'],
    ] as const) {
      for (const item of items) {
        const e = isObject(item) && isObject(item.expr) ? item.expr : item;
        if (isObject(e) && e.type === 'number') {
          const n = Number(e.value) - 1;
          if (positions === null || positions.has(n)) violation(`output column ${n + 1}`, where);
        }
      }
    }
  };

  if (stmt.type === 'select') select(stmt);
  else if (stmt.type === 'explain' && isObject(stmt.expr)) checkMysqlMaskedUses(stmt.expr, taint, hint);
}

export function mysqlMaskPlan(stmt: JsonObject, taint: MysqlTaint): MaskPlan {
  return {
    positions: stmt.type === 'select' ? taint.outputPositions(stmt) : null,
    names: taint.names,
    derived: taint.derived,
    derivedRelations: taint.derivedRelations,
  };
}
