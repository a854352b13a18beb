import { MASKED } from './mask.js';
import type { RowReader } from './read.js';
import { CsvWriter } from './render-csv.js';
import type { Cell, Column } from './types.js';

export interface Collected {
  columns: Column[];
  /** The first rows, for the inline table. */
  rows: Cell[][];
  rowCount: number;
  /** Why reading stopped early: more rows than max_rows, or the CSV size limit. */
  capped: 'rows' | 'size' | null;
  csv: CsvWriter;
}

export interface CollectOptions {
  maxRows: number;
  /** How many rows to keep as objects for the inline table. */
  keepRows: number;
  maxCsvBytes: number;
  /** Decides masking once the column names are known. */
  mask: (names: string[]) => boolean[];
}

/** A RowReader that masks each row as it arrives, before anything else sees it. */
export function createCollector(options: CollectOptions): RowReader & { result(): Collected } {
  let columns: Column[] | null = null;
  let masks: boolean[] = [];
  const rows: Cell[][] = [];
  const csv = new CsvWriter();
  let rowCount = 0;
  let capped: Collected['capped'] = null;

  return {
    columns(names) {
      if (columns) return;
      masks = options.mask(names);
      columns = names.map((name, i) => ({ name, masked: masks[i] ?? false }));
      csv.write(names);
    },
    row(cells) {
      if (capped) return;
      // Reading max_rows + 1 tells "exactly max_rows" apart from "more than max_rows".
      if (rowCount >= options.maxRows) {
        capped = 'rows';
        return;
      }
      const safe = cells.map((c, i) => (masks[i] ? MASKED : c));
      rowCount += 1;
      if (rows.length < options.keepRows) rows.push(safe);
      csv.write(safe);
      if (csv.size >= options.maxCsvBytes) capped = 'size';
    },
    wanted() {
      return capped ? 0 : options.maxRows + 1 - rowCount;
    },
    result() {
      return { columns: columns ?? [], rows, rowCount, capped, csv };
    },
  };
}
