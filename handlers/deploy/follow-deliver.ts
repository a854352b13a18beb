import type { Logger } from '../../src/logger.js';
import type { SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { withSlackRetry } from '../../src/slack/retry.js';
import type { WatcherStore, WatchRecord } from './watchers.js';

/**
 * Updates the progress message with the outcome, waiting as Slack asks (429,
 * `ratelimited`, 5xx) for up to `finalRetryMs`; then, or when the message is gone, posts
 * the outcome as a new message. Throws when even that fails: the record then stays.
 */
export async function deliverFinal(
  deps: {
    slack: SlackPoster;
    sleep: (ms: number) => Promise<void>;
    finalRetryMs?: number;
    /** Saves a line posted anew, so a retry of what follows (the thread's last reply) updates it. */
    watchers?: Pick<WatcherStore, 'save'>;
  },
  record: WatchRecord,
  message: SlackMessage,
  log: Logger,
): Promise<void> {
  const onRetry = (err: unknown, waitMs: number) =>
    log.warn({ err, waitMs }, 'Slack did not take the final deployment message yet; retrying');
  if (record.message.ts) {
    try {
      await withSlackRetry(() => deps.slack.update(record.message, message), {
        retries: 1000,
        maxTotalMs: deps.finalRetryMs ?? 10 * 60_000,
        sleep: deps.sleep,
        onRetry,
      });
      return;
    } catch (err) {
      log.warn({ err }, 'could not update the deployment message; posting the outcome as a new message');
    }
  }
  const channel = record.message.channel || record.channel;
  if (!channel) throw new Error('nowhere to post the outcome of the deployment');
  record.message = await withSlackRetry(() => deps.slack.post(channel, message), {
    retries: 5,
    maxTotalMs: 60_000,
    sleep: deps.sleep,
    onRetry,
  });
  await deps.watchers
    ?.save(record)
    .catch((err: unknown) => log.warn({ err }, 'could not save the new message'));
}
