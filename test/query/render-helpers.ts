import { createCollector } from '../../handlers/query/collect.js';
import type { QueryResult } from '../../handlers/query/run.js';

/** A result of n rows as the collector would produce it. */
export function collectFor(n: number): QueryResult {
  const c = createCollector({
    maxRows: 200,
    keepRows: 50,
    maxCsvBytes: 1e9,
    mask: (names) => names.map(() => false),
  });
  c.columns(['n', 'label']);
  for (let i = 1; i <= n; i++) c.row([String(i), `row ${i}`]);
  return { ...c.result(), database: 'main', sql: 'SELECT n, label FROM big', durationMs: 12 };
}
