import type { CheckedStatement } from './types.js';

export const MASKED = '[masked]';

/**
 * Which result columns are masked: by result name (mask_columns, case-insensitive),
 * by aliases the parser traced back to a masked column, and by select-list position
 * when there is no `*` (so `lower(email)` is masked even though its name is `lower`).
 */
export function maskedColumns(
  names: string[],
  plan: Pick<CheckedStatement, 'maskedNames' | 'maskedPositions'>,
  maskColumns: string[],
): boolean[] {
  const byName = new Set([...maskColumns.map((c) => c.toLowerCase()), ...plan.maskedNames]);
  return names.map((name, i) => byName.has(name.toLowerCase()) || (plan.maskedPositions?.has(i) ?? false));
}
