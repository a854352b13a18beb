import { isObject, type Json, type JsonObject, str } from './ast.js';
import { refuseMaskedUse } from './refuse.js';
import { list, type Node, only, type PgTaint, resTargets, sval } from './taint-postgres.js';

/**
 * Refuses every use of masked data that reveals something about the values: anywhere
 * but as an output column of its own, the argument of IS [NOT] NULL, or of count()
 * (without DISTINCT). That covers WHERE, JOIN ... ON/USING, GROUP BY, HAVING, ORDER BY,
 * window definitions, LIMIT, DISTINCT, set operations that compare rows, and
 * expressions in the select list (whose errors would echo the value).
 */
export function checkMaskedUses(stmt: Json, taint: PgTaint, hint: string): void {
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
