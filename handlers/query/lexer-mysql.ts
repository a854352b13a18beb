import { refuse } from './refuse.js';

/**
 * MySQL/MariaDB lexer that follows the server's rules, not a parser's: `--` starts a
 * comment only when whitespace, a control character or the end follows; `#` comments;
 * `/* *\/` comments do not nest; `/*!`, `/*M!` and `/*+` run their content on the
 * server and are refused; strings honour backslash escapes (the pool turns
 * NO_BACKSLASH_ESCAPES and ANSI_QUOTES off so the server reads them the same way).
 *
 * The statement the guard parses and the server runs is the canonical text built from
 * these tokens: no comments, every string re-quoted one way, operators spaced so that
 * no two of them can be read as a comment. So the parser and the server get one text in
 * which the lexical rules they disagree on never occur.
 */

export type MysqlToken =
  | { kind: 'word'; text: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string; prefix: string }
  | { kind: 'literal'; text: string }
  | { kind: 'variable'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'semicolon' };

interface Located {
  token: MysqlToken;
  start: number;
  end: number;
}

const OPERATORS = ['<=>', '->>', '<>', '!=', '<=', '>=', ':=', '||', '&&', '<<', '>>', '->'];
const SINGLE_OPS = new Set([...'+-*/%=<>!~^&|,()[]{}.:']);
const ESCAPES: Record<string, string> = {
  '0': '\0',
  "'": "'",
  '"': '"',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
  '\\': '\\',
  // \% and \_ stay two characters so LIKE sees the escape.
  '%': '\\%',
  _: '\\_',
};

const isSpace = (c: string | undefined) => c !== undefined && /[ \t\n\r\v\f]/.test(c);
const isControl = (c: string | undefined) => c !== undefined && c.charCodeAt(0) < 0x20;
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_$\u0080-\uffff]/u.test(c);

function readQuoted(
  sql: string,
  at: number,
  quote: string,
  backslash: boolean,
): { value: string; end: number } {
  let value = '';
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (backslash && c === '\\') {
      const next = sql[i + 1];
      if (next === undefined) break;
      value += ESCAPES[next] ?? next;
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i += 1;
  }
  return refuse('parse', `a ${quote === '`' ? 'quoted name' : 'string'} is not closed.`);
}

/** Tokens in order, comments dropped; refuses executable comments and what the server would read differently. */
export function lexMysql(sql: string): Located[] {
  const out: Located[] = [];
  let i = 0;
  const push = (token: MysqlToken, start: number, end: number) => {
    out.push({ token, start, end });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (isSpace(c)) {
      i += 1;
    } else if (
      c === '#' ||
      (c === '-' && next === '-' && (i + 2 >= sql.length || isSpace(sql[i + 2]) || isControl(sql[i + 2])))
    ) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (c === '/' && next === '*') {
      const kind = sql[i + 2];
      if (kind === '!' || kind === '+' || (kind === 'M' && sql[i + 3] === '!')) {
        refuse('executable-comment', 'MySQL runs the contents of /*! ... */ comments and /*+ ... */ hints.');
      }
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) refuse('parse', 'a /* comment is not closed.');
      i = close + 2;
    } else if (c === ';') {
      push({ kind: 'semicolon' }, i, i + 1);
    } else if (c === "'" || c === '"') {
      const { value, end } = readQuoted(sql, i, c, true);
      push({ kind: 'string', value, prefix: '' }, i, end);
    } else if (c === '`') {
      const { value, end } = readQuoted(sql, i, '`', false);
      push({ kind: 'quoted', text: value }, i, end);
    } else if (/[xXbB]/.test(c) && next === "'") {
      const close = sql.indexOf("'", i + 2);
      const body = close === -1 ? '' : sql.slice(i + 2, close);
      if (close === -1 || !(/[xX]/.test(c) ? /^[0-9a-fA-F]*$/ : /^[01]*$/).test(body)) {
        refuse('parse', `the ${c}'...' literal is not valid.`);
      }
      push({ kind: 'literal', text: `${c.toUpperCase()}'${body}'` }, i, close + 1);
    } else if (/[nN]/.test(c) && next === "'") {
      const { value, end } = readQuoted(sql, i + 1, "'", true);
      push({ kind: 'string', value, prefix: 'N' }, i, end);
    } else if (c === '@') {
      const m = /^@@?(?:[A-Za-z0-9_$.]+|`[^`]*`|'[^']*')/.exec(sql.slice(i));
      if (!m) refuse('parse', 'a lone @ is not a variable.');
      push({ kind: 'variable', text: m[0] }, i, i + m[0].length);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      const m = /^(?:0x[0-9a-fA-F]+|0b[01]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/.exec(
        sql.slice(i),
      );
      const text = m?.[0] ?? c;
      // MySQL reads 1abc as a name; parsers read a number and an alias.
      if (isWordChar(sql[i + text.length])) {
        refuse(
          'parse',
          `\`${sql.slice(i, i + text.length + 1)}...\`: put names that start with a digit in backticks.`,
        );
      }
      push({ kind: 'number', text }, i, i + text.length);
    } else if (isWordChar(c)) {
      let end = i;
      while (isWordChar(sql[end])) end += 1;
      const word = sql.slice(i, end);
      // _utf8mb4'x' is a string with a character set; parsers read a name and an alias.
      if (word.startsWith('_') && (sql[end] === "'" || sql[end] === '"')) {
        refuse(
          'parse',
          `character set introducers (${word}'...') are not supported; use CONVERT('...' USING ...).`,
        );
      }
      push({ kind: 'word', text: word }, i, end);
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i)) ?? (SINGLE_OPS.has(c) ? c : null);
      if (op === null)
        refuse('parse', `the character ${JSON.stringify(c)} is not part of MySQL syntax here.`);
      push({ kind: 'op', text: op }, i, i + op.length);
    }
  }
  return out;
}

function quoteString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''").replaceAll('\0', '\\0')}'`;
}

function render(t: MysqlToken): string {
  switch (t.kind) {
    case 'string':
      return `${t.prefix}${quoteString(t.value)}`;
    case 'quoted':
      return `\`${t.text.replaceAll('`', '``')}\``;
    case 'semicolon':
      return ';';
    case 'number':
      // .5 and 0.5 are one value; the parser only reads the second.
      return t.text.startsWith('.') ? `0${t.text}` : t.text;
    default:
      return t.text;
  }
}

/**
 * The canonical text of each statement. Tokens that touched in the input touch in the
 * output (so `COUNT(` stays a function call), except two operators, which are always
 * spaced (`1--1` becomes `1- -1`, never a comment to anyone).
 */
export function canonicalMysql(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let prev: Located | null = null;
  for (const located of lexMysql(sql)) {
    const { token } = located;
    if (token.kind === 'semicolon') {
      if (current !== '') statements.push(current);
      current = '';
      prev = null;
      continue;
    }
    if (prev) {
      const touching = prev.end === located.start && !(prev.token.kind === 'op' && token.kind === 'op');
      if (!touching) current += ' ';
    }
    current += render(token);
    prev = located;
  }
  if (current !== '') statements.push(current);
  return statements;
}
