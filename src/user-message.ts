import { randomBytes } from 'node:crypto';
import { type ErrorCode, isDocksideError } from './errors.js';
import type { Logger } from './logger.js';
import { scrub } from './secrets.js';

export function newRef(): string {
  return randomBytes(3).toString('hex');
}

/** Refusals that are the system working as intended: no reference, no warning in the log. */
const EXPECTED: ReadonlySet<ErrorCode> = new Set([
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

/**
 * The one place an error becomes what a person reads: what happened, what to do
 * next, and for failures of ours a short reference that is also in the log.
 */
export function toUserMessage(err: unknown, log: Logger, context: Record<string, unknown> = {}): string {
  if (isDocksideError(err)) {
    const line = [err.message, err.hint].filter(Boolean).join(' ');
    if (EXPECTED.has(err.code)) return scrub(line);
    const ref = newRef();
    log.warn({ ...context, ref, code: err.code, err }, 'command failed');
    return scrub(`${line} (ref ${ref})`);
  }
  const ref = newRef();
  log.error({ ...context, ref, err }, 'unexpected error');
  return `Something went wrong inside dockside, and nothing more was done. Tell whoever runs dockside the reference ${ref}; the details are in its log.`;
}
