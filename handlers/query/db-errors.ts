import { unreachableError } from '../../src/db/errors.js';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import { formatDuration } from '../../src/render/format.js';
import { scrub } from '../../src/secrets.js';
import { caretLine } from './refuse.js';

export interface ErrorContext {
  database: string;
  endpoint: string;
  sql: string;
  timeoutMs: number;
  /** Characters the runner put before ctx.sql (a cursor declaration); server positions count them. */
  prefixLength?: number;
}

export function timeoutError(ctx: ErrorContext, cause?: unknown): DocksideError {
  return new DocksideError(
    'query_timeout',
    `The query was stopped after ${formatDuration(ctx.timeoutMs)} (statement_timeout_ms in dockside.yml).`,
    { hint: 'Narrow it with WHERE or LIMIT, or check its plan with EXPLAIN.', cause },
  );
}

function readOnlyRefusal(message: string, cause: unknown): DocksideError {
  return new DocksideError('query_refused', `Refused by the read-only transaction: ${scrub(message)}`, {
    cause,
  });
}

function failed(message: string, sql: string, offset: number | null, cause: unknown): DocksideError {
  const where = offset === null ? '' : ` (at position ${offset + 1})`;
  return new DocksideError('query_failed', `${scrub(message)}${where}`, {
    ...(offset === null ? {} : { hint: `\`\`\`${caretLine(sql, offset)}\`\`\`` }),
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
  // MySQL names the position in the message itself ("... near 'FORM t' at line 1").
  return failed(e.sqlMessage, ctx.sql, null, err);
}
