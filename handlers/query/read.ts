import type { ColumnMeta } from './mask.js';
import type { Cell } from './types.js';

/** Where a runner puts rows as they arrive; it asks `wanted()` before reading more. */
export interface RowReader {
  /** Called once with the result's columns, before any row. */
  columns(meta: ColumnMeta[]): void;
  row(cells: Cell[]): void;
  /** How many more rows to read; 0 means stop. */
  wanted(): number;
}
