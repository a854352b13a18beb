import type { Cell } from './types.js';

export function binaryLabel(bytes: number): string {
  if (bytes < 1024) return `<binary ${bytes} byte${bytes === 1 ? '' : 's'}>`;
  if (bytes < 1024 * 1024) return `<binary ${(bytes / 1024).toFixed(1)} KB>`;
  return `<binary ${(bytes / 1024 / 1024).toFixed(1)} MB>`;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first)
 * gets a leading apostrophe, as OWASP recommends for CSV injection; plain numbers such
 * as -5 are left alone, they cannot be formulas.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

// RFC 4180. NULL is an empty field and an empty string is "", as PostgreSQL's CSV does,
// so the two stay distinguishable.
function field(cell: Cell): string {
  if (cell === null) return '';
  const text = neutralizeFormula(typeof cell === 'string' ? cell : binaryLabel(cell.binaryBytes));
  if (text === '' || /[",\r\n\t]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

export function csvLine(cells: Cell[]): string {
  return `${cells.map(field).join(',')}\r\n`;
}

/**
 * CSV built as rows arrive, in fixed-size buffers, so memory grows with the CSV's
 * size and not with the number of row objects read.
 */
export class CsvWriter {
  private readonly chunks: Buffer[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private flushed = 0;

  write(cells: Cell[]): void {
    const line = csvLine(cells);
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= 64 * 1024) this.flush();
  }

  /** Bytes written so far (approximate until flushed; exact after). */
  get size(): number {
    return this.flushed + this.pendingChars;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.chunks.push(buf);
    this.flushed += buf.length;
    this.pending = [];
    this.pendingChars = 0;
  }

  toBuffer(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}
