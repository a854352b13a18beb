import { randomBytes } from 'node:crypto';
import { errorLine, isDocksideError, isRefusal } from './errors.js';
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
    const line = errorLine(err);
    if (isRefusal(err)) return scrub(line);
    const ref = newRef();
    log.warn({ ...context, ref, code: err.code, err }, 'command failed');
    return scrub(`${line} (ref ${ref})`);
  }
  const slackError = slackPlatformError(err);
  if (slackError === 'not_in_channel' || slackError === 'channel_not_found') {
    const ref = newRef();
    log.warn({ ...context, ref, slackError }, 'Slack refused a post: the bot is not in the channel');
    return `Slack would not let dockside post in a channel it needed (${slackError}): invite it there with \`/invite @dockside\` (the ops channel of dockside.yml included), then try again. (ref ${ref})`;
  }
  const ref = newRef();
  log.error({ ...context, ref, err }, 'unexpected error');
  return `Something went wrong inside dockside, and nothing more was done. Tell whoever runs dockside the reference ${ref}; the details are in its log.`;
}

/** The `error` of a Slack Web API refusal (@slack/web-api's platform error), if it is one. */
function slackPlatformError(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { code, data } = err as { code?: unknown; data?: { error?: unknown } };
  return code === 'slack_webapi_platform_error' && typeof data?.error === 'string' ? data.error : undefined;
}
