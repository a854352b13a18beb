import { refuse } from './refuse.js';

/**
 * PostgreSQL lexer for what matters to the statement check: comments (`--` to the end
 * of the line, `/* *\/` nested), quotes ('' strings with standard_conforming_strings on,
 * E'' with backslash escapes, U&'', B'', X'', dollar quotes, "" names) and `;`. The
 * pool turns standard_conforming_strings on at connect, so the server reads them the
 * same way. Returns the statements with each comment replaced by a space: the text the
 * parser checks and the server runs.
 */
export function splitPostgres(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const take = (end: number) => {
    current += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      // The newline stays: 'a' -- x <newline> 'b' is one string to the server.
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol;
    } else if (c === '/' && next === '*') {
      let depth = 0;
      let j = i;
      do {
        if (sql.startsWith('/*', j)) {
          depth += 1;
          j += 2;
        } else if (sql.startsWith('*/', j)) {
          depth -= 1;
          j += 2;
        } else j += 1;
      } while (depth > 0 && j < sql.length);
      if (depth > 0) refuse('parse', 'a /* comment is not closed.');
      i = j;
      current += ' ';
    } else if (c === ';') {
      if (current.trim() !== '') statements.push(current.trim());
      current = '';
      i += 1;
    } else if (c === "'") {
      const escapes = /[eE]$/.test(sql.slice(0, i)) && !/[\w$]/.test(sql[i - 2] ?? '');
      take(endOfQuoted(sql, i, "'", escapes));
    } else if (c === '"') {
      take(endOfQuoted(sql, i, '"', false));
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i))?.[0];
      if (!tag) {
        take(i + 1);
        continue;
      }
      const close = sql.indexOf(tag, i + tag.length);
      if (close === -1) refuse('parse', `a ${tag} quote is not closed.`);
      take(close + tag.length);
    } else if (/[\w\u0080-\uffff$]/.test(c)) {
      let j = i;
      while (j < sql.length && /[\w\u0080-\uffff$]/.test(sql[j] as string)) j += 1;
      take(j);
    } else {
      take(i + 1);
    }
  }
  if (current.trim() !== '') statements.push(current.trim());
  return statements;
}

function endOfQuoted(sql: string, at: number, quote: string, backslash: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return refuse('parse', `a ${quote === '"' ? 'quoted name' : 'string'} is not closed.`);
}
