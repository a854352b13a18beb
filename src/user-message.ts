import { randomBytes } from 'node:crypto';
import { isDocksideError, isRefusal } from './errors.js';
import type { Logger } from './logger.js';
import { scrub } from './secrets.js';

export function newRef(): string {
  return randomBytes(3).toString('hex');
}

/**
 * The one place an error becomes what a person reads: what happened, what to do
 * next, and for failures of ours a short reference that is also in the log.
 */
export function toUserMessage(err: unknown, log: Logger, context: Record<string, unknown> = {}): string {
  if (isDocksideError(err)) {
    const line = [err.message, err.hint].filter(Boolean).join(' ');
    if (isRefusal(err)) return scrub(line);
    const ref = newRef();
    log.warn({ ...context, ref, code: err.code, err }, 'command failed');
    return scrub(`${line} (ref ${ref})`);
  }
  const ref = newRef();
  log.error({ ...context, ref, err }, 'unexpected error');
  return `Something went wrong inside dockside, and nothing more was done. Tell whoever runs dockside the reference ${ref}; the details are in its log.`;
}
