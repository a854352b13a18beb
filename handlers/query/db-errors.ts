import { unreachableError } from '../../src/db/errors.js';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import { escapeText, formatDuration } from '../../src/render/format.js';
import { scrub } from '../../src/secrets.js';
import { caretLine } from './refuse.js';

export interface ErrorContext {
  database: string;
  endpoint: string;
  sql: string;
  timeoutMs: number;
  /** Characters the runner put before ctx.sql (a cursor declaration); server positions count them. */
  prefixLength?: number;
  /** The statement reads tables while columns are masked: messages that can hold values are not shown. */
  sensitive?: boolean;
}

/**
 * SQLSTATE classes whose messages speak of the statement, never of stored values
 * (syntax, names, permissions, unsupported features); everything else, such as data
 * exceptions ("invalid input syntax for type integer: \"<the value>\""), can echo a value.
 */
const PG_SAFE_CLASSES = new Set(['42', '0A', '25', '53', '54', '57']);
const PG_CLASS_NAMES: Record<string, string> = {
  '21': 'cardinality violation',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '2F': 'SQL routine exception',
  '38': 'external routine exception',
  '39': 'external routine invocation exception',
  '40': 'transaction rollback',
  P0: 'PL/pgSQL error',
  XX: 'internal error',
};
/** MySQL errors whose text names only identifiers from the statement. */
const MYSQL_SAFE_ERRNOS = new Set([
  1054, 1052, 1064, 1146, 1305, 1142, 1143, 1044, 1045, 1049, 1109, 1111, 1140, 1221, 1222, 1235, 1247, 1248,
  1060, 1066, 1054, 1176, 1630, 4078,
]);

function withheld(sqlState: string, className: string): DocksideError {
  // No cause: the driver's error holds the message, which must not reach the log either.
  return new DocksideError(
    'query_failed',
    `The database stopped the statement with SQLSTATE ${sqlState} (${className}). Its message is not shown because it can contain values of masked columns.`,
    {
      hint: 'Check the types and values the statement works on; the same statement on a table without masked columns shows the full message.',
    },
  );
}

export function timeoutError(ctx: ErrorContext, cause?: unknown): DocksideError {
  return new DocksideError(
    'query_timeout',
    `The query was stopped after ${formatDuration(ctx.timeoutMs)} (statement_timeout_ms in dockside.yml).`,
    { hint: 'Narrow it with WHERE or LIMIT, or check its plan with EXPLAIN.', cause },
  );
}

// Server messages quote names from the statement, which are shown in Slack: escaped.
const shownText = (text: string) => escapeText(scrub(text));

function readOnlyRefusal(message: string, cause: unknown): DocksideError {
  return new DocksideError('query_refused', `Refused by the read-only transaction: ${shownText(message)}`, {
    cause,
  });
}

function failed(message: string, sql: string, offset: number | null, cause: unknown): DocksideError {
  const where = offset === null ? '' : ` (at position ${offset + 1})`;
  return new DocksideError('query_failed', `${shownText(message)}${where}`, {
    ...(offset === null ? {} : { hint: `\`\`\`${escapeText(caretLine(sql, offset), 'code')}\`\`\`` }),
    cause,
  });
}

interface PgServerError {
  code?: string;
  severity?: string;
  message?: string;
  position?: string;
}

/** A pg error as what the user reads: the server's own message, and its position when it has one. */
export function pgError(err: unknown, ctx: ErrorContext): DocksideError {
  if (isDocksideError(err)) return err;
  const e = (err ?? {}) as PgServerError;
  // Errors without a severity did not come from the server: the connection failed.
  if (!e.severity) return unreachableError(ctx.database, ctx.endpoint, err);
  const message = e.message ?? 'query failed';
  if (e.code === '57014' && /statement timeout/i.test(message)) return timeoutError(ctx, err);
  if (e.code === '25006') return readOnlyRefusal(message, err);
  const cls = (e.code ?? 'XX').slice(0, 2);
  if (ctx.sensitive && !PG_SAFE_CLASSES.has(cls))
    return withheld(e.code ?? 'XX000', PG_CLASS_NAMES[cls] ?? 'error');
  const pos = e.position ? Number(e.position) - 1 - (ctx.prefixLength ?? 0) : null;
  return failed(message, ctx.sql, pos !== null && pos >= 0 && pos <= ctx.sql.length ? pos : null, err);
}

interface MysqlServerError {
  errno?: number;
  sqlMessage?: string;
  fatal?: boolean;
  code?: string;
  message?: string;
}

const MYSQL_TIMEOUTS = new Set([3024 /* MySQL MAX_EXECUTION_TIME */, 1969 /* MariaDB max_statement_time */]);
const MYSQL_READ_ONLY = new Set([1792 /* read-only transaction */, 1290 /* --read-only server */]);

export function mysqlError(err: unknown, ctx: ErrorContext): DocksideError {
  if (isDocksideError(err)) return err;
  const e = (err ?? {}) as MysqlServerError;
  if (e.fatal || !e.sqlMessage) return unreachableError(ctx.database, ctx.endpoint, err);
  if (e.errno !== undefined && MYSQL_TIMEOUTS.has(e.errno)) return timeoutError(ctx, err);
  if (e.errno !== undefined && MYSQL_READ_ONLY.has(e.errno)) return readOnlyRefusal(e.sqlMessage, err);
  if (ctx.sensitive && (e.errno === undefined || !MYSQL_SAFE_ERRNOS.has(e.errno))) {
    return withheld(
      `${(e as { sqlState?: string }).sqlState ?? 'HY000'}, error ${e.errno ?? '?'}`,
      'an error about the data',
    );
  }
  // MySQL names the position in the message itself ("... near 'FORM t' at line 1").
  return failed(e.sqlMessage, ctx.sql, null, err);
}
