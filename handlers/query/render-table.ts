import { escapeText } from '../../src/render/format.js';
import { binaryLabel } from './render-csv.js';
import type { Cell } from './types.js';

export interface TableOptions {
  /** Longer values are cut and end in "…". */
  maxCellWidth: number;
}

function cellText(cell: Cell, maxWidth: number): string {
  if (cell === null) return 'NULL';
  if (typeof cell !== 'string') return binaryLabel(cell.binaryBytes);
  // Line breaks and tabs would break the alignment of every later column.
  const flat = cell.replace(/\r?\n/g, '↵').replace(/\t/g, ' ');
  const chars = [...flat];
  return chars.length > maxWidth ? `${chars.slice(0, maxWidth - 1).join('')}…` : flat;
}

const width = (s: string): number => [...s].length;
const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));

/** Aligned plain-text table lines: header, rule, rows. Not yet escaped for Slack. */
export function tableLines(columns: string[], rows: Cell[][], options: TableOptions): string[] {
  const head = columns.map((c) => cellText(c, options.maxCellWidth));
  const body = rows.map((r) => columns.map((_, i) => cellText(r[i] ?? null, options.maxCellWidth)));
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)];
}

/** Splits lines into code blocks of at most maxChars each (Slack's section text limit is 3,000). */
export function codeBlocks(lines: string[], maxChars: number): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const raw of lines) {
    const l = escapeText(raw, 'code').slice(0, maxChars - 8);
    if (current.length > 0 && size + l.length + 1 > maxChars - 8) {
      blocks.push(`\`\`\`${current.join('\n')}\`\`\``);
      current = [];
      size = 0;
    }
    current.push(l);
    size += l.length + 1;
  }
  if (current.length > 0) blocks.push(`\`\`\`${current.join('\n')}\`\`\``);
  return blocks;
}
