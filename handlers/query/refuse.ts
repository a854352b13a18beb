import { DocksideError } from '../../src/errors.js';
import { escapeText } from '../../src/render/format.js';
import type { GuardRule } from './types.js';

const RULE_TITLES: Record<GuardRule, string> = {
  parse: 'the statement must parse',
  'one-statement': 'exactly one statement',
  'read-kind': 'read statements only',
  'data-changing-cte': 'no data-changing WITH parts',
  'select-into': 'no SELECT ... INTO',
  'locking-read': 'no locking reads',
  'side-effect-function': 'no functions with side effects',
  'unknown-function': 'only functions known to be safe',
  'masked-predicate': 'masked columns are only shown masked',
  'statistics-view': 'no statistics or activity views while columns are masked',
  'masked-view': 'no views over masked columns',
  'session-state': 'no session changes',
  'executable-comment': 'no executable comments or optimizer hints',
};

export class QueryRefusedError extends DocksideError {
  readonly rule: GuardRule;
  constructor(rule: GuardRule, reason: string, hint?: string) {
    // The reason quotes names from the statement; they are shown in Slack.
    super(
      'query_refused',
      `Refused by the statement check (rule: ${RULE_TITLES[rule]}): ${escapeText(reason)}`,
      {
        hint:
          hint === undefined
            ? '/query runs one read-only statement: SELECT, WITH ... SELECT, EXPLAIN, SHOW.'
            : escapeText(hint),
      },
    );
    this.name = 'QueryRefusedError';
    this.rule = rule;
  }
}

export function refuse(rule: GuardRule, reason: string, hint?: string): never {
  throw new QueryRefusedError(rule, reason, hint);
}

/** One wording for every dialect: a masked value used anywhere but the select list or IS [NOT] NULL. */
export function refuseMaskedUse(what: string, where: string, hint: string): never {
  return refuse(
    'masked-predicate',
    `${what} is masked and is used in ${where}; masked columns can only be selected, counted or tested with IS [NOT] NULL.`,
    hint,
  );
}

/** A caret under the position of a syntax error, for a monospace block. */
export function caretLine(sql: string, offset: number): string {
  const lineStart = sql.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = sql.indexOf('\n', offset);
  const line = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const col = offset - lineStart;
  // Keep long single-line statements readable: show a window around the position.
  const from = Math.max(0, col - 60);
  return `${line.slice(from, col + 60)}\n${' '.repeat(col - from)}^`;
}

export function article(word: string): string {
  return `${/^[AEIOU]/i.test(word) ? 'an' : 'a'} ${word}`;
}
