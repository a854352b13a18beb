import { type ColumnMeta, MASKED } from './mask.js';
import type { RowReader } from './read.js';
import { CsvWriter } from './render-csv.js';
import type { Cell, Column } from './types.js';

export interface Collected {
  columns: Column[];
  /** The first rows, for the inline table. */
  rows: Cell[][];
  rowCount: number;
  /** Why reading stopped early: more rows than max_rows, or the result's byte budget. */
  capped: 'rows' | 'size' | null;
  /** How many values were cut at max_cell_bytes. */
  cutCells: number;
  csv: CsvWriter;
}

export interface CollectOptions {
  maxRows: number;
  /** How many rows to keep as objects for the inline table. */
  keepRows: number;
  /** Bytes of values (after cutting) the result may hold. */
  maxResultBytes: number;
  /** A longer value is cut to this many bytes. */
  maxCellBytes: number;
  /** Decides masking once the columns are known. */
  mask: (columns: ColumnMeta[]) => boolean[];
}

/** Cuts a string to at most maxBytes of UTF-8 without splitting a character. */
export function cutToBytes(text: string, maxBytes: number): string | null {
  if (text.length <= maxBytes / 3) return null;
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return null;
  let end = maxBytes;
  // Back up to the start of a UTF-8 sequence.
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return buf.subarray(0, end).toString('utf8');
}

/** A RowReader that masks and cuts each row as it arrives, before anything else sees it. */
export function createCollector(options: CollectOptions): RowReader & { result(): Collected } {
  let columns: Column[] | null = null;
  let masks: boolean[] = [];
  const rows: Cell[][] = [];
  const csv = new CsvWriter();
  let rowCount = 0;
  let bytes = 0;
  let cutCells = 0;
  let capped: Collected['capped'] = null;

  const cut = (cell: Cell): Cell => {
    if (typeof cell !== 'string') return cell;
    const shorter = cutToBytes(cell, options.maxCellBytes);
    if (shorter === null) return cell;
    cutCells += 1;
    return `${shorter}…`;
  };

  return {
    columns(meta) {
      if (columns) return;
      masks = options.mask(meta);
      columns = meta.map((m, i) => ({ name: m.name, masked: masks[i] ?? false }));
      csv.write(meta.map((m) => m.name));
    },
    row(cells) {
      if (capped) return;
      // Reading max_rows + 1 tells "exactly max_rows" apart from "more than max_rows".
      if (rowCount >= options.maxRows) {
        capped = 'rows';
        return;
      }
      const safe = cells.map((c, i) => (masks[i] ? MASKED : cut(c)));
      const size = safe.reduce<number>((n, c) => n + (typeof c === 'string' ? Buffer.byteLength(c) : 8), 0);
      if (bytes + size > options.maxResultBytes) {
        capped = 'size';
        return;
      }
      bytes += size;
      rowCount += 1;
      if (rows.length < options.keepRows) rows.push(safe);
      csv.write(safe);
    },
    wanted() {
      return capped ? 0 : options.maxRows + 1 - rowCount;
    },
    result() {
      return { columns: columns ?? [], rows, rowCount, capped, cutCells, csv };
    },
  };
}
