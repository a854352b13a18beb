import type { Cell } from './types.js';

/** Where a runner puts rows as they arrive; it asks `wanted()` before reading more. */
export interface RowReader {
  /** Called with each batch's column names; only the first call counts. */
  columns(names: string[]): void;
  row(cells: Cell[]): void;
  /** How many more rows to read; 0 means stop. */
  wanted(): number;
}
