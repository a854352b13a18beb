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
  | 'session-state'
  | 'executable-comment';

/** What the statement check learned about a statement it accepted. */
export interface CheckedStatement {
  /** The statement text without a trailing semicolon, ready to wrap in a cursor. */
  sql: string;
  /** `select` can be read through a cursor; the others (EXPLAIN, SHOW, ...) are run as they are. */
  kind: 'select' | 'other';
  /**
   * Masking the parser could work out: result column names (lower case) that carry a
   * masked column under another name, and top-level positions that do (only when the
   * select list has no `*`, so positions match result columns).
   */
  maskedNames: Set<string>;
  maskedPositions: Set<number> | null;
}
