import { createCollector } from '../../handlers/query/collect.js';
import type { QueryResult } from '../../handlers/query/run.js';

/** A result of n rows as the collector would produce it. */
export function collectFor(n: number): QueryResult {
  const c = createCollector({
    maxRows: 200,
    keepRows: 50,
    maxResultBytes: 1e9,
    maxCellBytes: 16_384,
    mask: (cols) => cols.map(() => false),
  });
  c.columns([
    { name: 'n', origin: null },
    { name: 'label', origin: null },
  ]);
  for (let i = 1; i <= n; i++) c.row([String(i), `row ${i}`]);
  return { ...c.result(), database: 'main', sql: 'SELECT n, label FROM big', durationMs: 12 };
}
