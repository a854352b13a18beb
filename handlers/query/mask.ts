import type { MaskPlan } from './types.js';

export const MASKED = '[masked]';

/** A result column as the server describes it: its name and, when it is a plain table column, where it comes from. */
export interface ColumnMeta {
  name: string;
  /** Table and column of origin (PostgreSQL: from the row description; MySQL: org_table/org_name). */
  origin: { table: string; column: string } | null;
}

/**
 * Which result columns are masked, failing closed. A column is masked when any of these
 * holds: its name or position carries masked data by the statement check's plan; the
 * server says it is a masked column of a table (whatever it was renamed to); or it
 * comes from a `*` that is not a plain table column while something inside the statement
 * outputs masked data.
 */
export function maskedColumns(columns: ColumnMeta[], plan: MaskPlan, maskColumns: string[]): boolean[] {
  const masked = new Set(maskColumns.map((c) => c.toLowerCase()));
  if (masked.size === 0) return columns.map(() => false);
  return columns.map((col, i) => {
    if (plan.names.has(col.name.toLowerCase()) || masked.has(col.name.toLowerCase())) return true;
    if (plan.positions?.has(i)) return true;
    const origin = col.origin;
    if (origin && (masked.has(origin.column.toLowerCase()) || plan.names.has(origin.column.toLowerCase())))
      return true;
    const fromTable = origin !== null && !plan.derivedRelations.has(origin.table.toLowerCase());
    return plan.positions === null && plan.derived && !fromTable;
  });
}
