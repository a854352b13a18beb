import type { RelationRef } from './views.js';

/** One value as rendered: text as the server formats it, NULL, or a binary value's size. */
export type Cell = string | null | { binaryBytes: number };

export interface Column {
  name: string;
  masked: boolean;
}

/** Which statement check rule refused a statement; shown to the user and kept in the audit detail. */
export type GuardRule =
  | 'parse'
  | 'one-statement'
  | 'read-kind'
  | 'data-changing-cte'
  | 'select-into'
  | 'locking-read'
  | 'side-effect-function'
  | 'unknown-function'
  | 'session-state'
  | 'executable-comment'
  | 'masked-predicate'
  | 'statistics-view'
  | 'masked-view';

/** What the statement check is told about the database. */
export interface GuardOptions {
  database: string;
  maskColumns: string[];
  allowFunctions: readonly string[];
  maskPredicates: 'refuse' | 'allow';
}

/**
 * What the statement check worked out about masking. The runner combines it with the
 * server's column metadata (table and column of origin) to decide each result column.
 */
export interface MaskPlan {
  /** Top-level output positions that carry masked data; null when a `*` hides positions. */
  positions: Set<number> | null;
  /** Names (lower case) that carry masked data anywhere in the statement. */
  names: Set<string>;
  /** True when a subquery, CTE or table function inside the statement outputs masked data. */
  derived: boolean;
  /** Names of CTEs and derived tables (MySQL reports those as a column's table). */
  derivedRelations: Set<string>;
}

/** What the statement check learned about a statement it accepted. */
export interface CheckedStatement {
  /** The exact text the server runs (comments removed, no trailing semicolon). */
  sql: string;
  /** `select` is read through a size-limiting wrapper; the others (EXPLAIN, SHOW, ...) run as they are. */
  kind: 'select' | 'other';
  mask: MaskPlan;
  /** True when the statement names a masked column or a whole row of a table: its errors are not shown. */
  touchesMasked: boolean;
  /** Tables and views the statement names (CTE names too), for the view check. */
  relations: RelationRef[];
}
