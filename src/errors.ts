import { escapeText, plainText } from './render/format.js';
import { scrub } from './secrets.js';

/**
 * Typed errors with stable codes. Code is what callers branch on; the message is
 * what a person reads (one line, no secrets), and `hint` is the next step.
 * `src/user-message.ts` is the one place that turns these into Slack text.
 */
export type ErrorCode =
  | 'usage'
  | 'unknown_command'
  | 'unknown_app'
  | 'unknown_env'
  | 'unknown_db'
  | 'forbidden'
  | 'wrong_channel'
  | 'not_available'
  | 'config_invalid'
  | 'audit_unavailable'
  | 'redis_unavailable'
  | 'do_api_failed'
  | 'do_not_found'
  | 'do_rate_limited'
  | 'deploy_in_progress'
  | 'deploy_failed'
  | 'health_check_failed'
  | 'env_locked'
  | 'approval_required'
  | 'approval_not_found'
  | 'approval_expired'
  | 'approval_closed'
  | 'approval_forbidden'
  | 'approval_stale'
  | 'rollback_invalid'
  | 'promote_not_possible'
  | 'query_refused'
  | 'query_timeout'
  | 'query_failed'
  | 'db_unreachable'
  | 'backup_running'
  | 'backup_failed'
  | 'backup_not_found'
  | 'restore_not_possible'
  | 'not_in_channel'
  | 'ssh_host_key_refused'
  | 'ssh_failed'
  | 'registry_failed'
  | 'outcome_unknown'
  | 'approval_not_posted'
  | 'internal';

export class DocksideError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DocksideError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isDocksideError(err: unknown, code?: ErrorCode): err is DocksideError {
  return err instanceof DocksideError && (code === undefined || err.code === code);
}

/**
 * A DocksideError as one line of mrkdwn: what happened, then what to do. A message that
 * ends mid-sentence (on a word) gets its full stop, so the hint does not read as its tail.
 */
export function errorLine(err: DocksideError): string {
  if (!err.hint) return err.message;
  return `${err.message}${/[A-Za-z0-9]$/.test(err.message) ? '.' : ''} ${err.hint}`;
}

/**
 * Why something failed, as plain text for a terminal, an audit entry, a release log or a
 * reason that a renderer escapes again: a DocksideError's line is mrkdwn (shown as it is in
 * Slack), anything else is an error from outside; secrets are scrubbed either way.
 */
export function plainErrorText(err: unknown): string {
  if (!isDocksideError(err)) return scrub(err instanceof Error ? err.message : String(err));
  return scrub(plainText(errorLine(err)));
}

/**
 * A usage error carries the usage line(s) of the command that was misused. Placeholders
 * such as `<app>` are escaped: Slack would read them as links and show nothing.
 */
export function usageError(problem: string, usage: string | readonly string[]): DocksideError {
  const lines = (typeof usage === 'string' ? [usage] : usage).map((u) => `\`${escapeText(u, 'code')}\``);
  return new DocksideError('usage', problem, { hint: `Usage: ${lines.join(' or ')}` });
}

/**
 * Refusals: the system working as intended (bad input, no permission, a lock, a
 * statement that could write). Shown without a reference, audited as `refused`.
 */
export const REFUSALS: ReadonlySet<ErrorCode> = new Set([
  'usage',
  'unknown_command',
  'unknown_app',
  'unknown_env',
  'unknown_db',
  'forbidden',
  'wrong_channel',
  'deploy_in_progress',
  'env_locked',
  'approval_stale',
  'promote_not_possible',
  'rollback_invalid',
  'query_refused',
  'backup_running',
  'not_in_channel',
]);

export function isRefusal(err: unknown): boolean {
  return err instanceof DocksideError && REFUSALS.has(err.code);
}
