import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import pLimit, { type LimitFunction } from 'p-limit';
import { DocksideError } from '../src/errors.js';
import type { Reply, SlackPoster } from '../src/slack/reply.js';
import type { ResponseUrlPoster } from '../src/slack/response-url.js';
import { type DispatchDeps, dispatch } from './dispatch.js';

/** Slack error codes that mean the bot cannot post in the channel. */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** Reply for one slash command: ephemeral answers through response_url, visible posts as the bot. */
export function slackReply(
  respond: (body: Record<string, unknown>) => Promise<unknown>,
  slack: SlackPoster,
  channel: string,
): Reply {
  return {
    async ephemeral(message) {
      await respond({
        response_type: 'ephemeral',
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      });
    },
    async inChannel(message) {
      try {
        return await slack.post(channel, message);
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        if (code && NOT_IN_CHANNEL.has(code)) {
          throw new DocksideError(
            'not_in_channel',
            'dockside cannot post in this channel, so nothing was started.',
            {
              hint: 'Invite it with `/invite @dockside` and run the command again.',
            },
          );
        }
        throw err;
      }
    },
  };
}

/**
 * Wires every slash command (and the `/ops` umbrella) to the dispatcher. The listener
 * acks at once, so Slack's 3-second limit holds whatever the command does next.
 */
export function registerCommands(
  app: App,
  deps: DispatchDeps & { respondTo: ResponseUrlPoster },
  options: { concurrency?: number } = {},
): void {
  // Work after the ack is bounded per command: a burst of one command must not starve
  // the acks of the next requests (Slack's 3 s) nor exceed DigitalOcean's rate limit,
  // and a long one (a dump) must not hold up the others.
  const limits = new Map<string, LimitFunction>();
  const limitFor = (command: string, text: string) => {
    const name = command === '/ops' ? (text.trim().split(/\s+/)[0] ?? '') : command.slice(1);
    // /query queues per person itself (one person's queue never delays another's).
    if (deps.commands.get(name)?.schedulesItself) return null;
    // `/deploy` and `/ops deploy` share one bound; unknown words share one too.
    const key = deps.commands.has(name) ? name : '(other)';
    let limit = limits.get(key);
    if (!limit) {
      limit = pLimit(options.concurrency ?? 4);
      limits.set(key, limit);
    }
    return limit;
  };
  app.command(/^\/[a-z][a-z0-9_-]*$/, async ({ command, ack }) => {
    await ack();
    const limit = limitFor(command.command, command.text ?? '');
    const work = () =>
      dispatch(
        deps,
        {
          user: command.user_id,
          channel: command.channel_id,
          text: command.text ?? '',
          commandText: command.command,
          requestId: randomUUID().slice(0, 8),
        },
        command.command,
        slackReply(
          (body) =>
            deps.respondTo(command.response_url, body, {
              channel: command.channel_id,
              user: command.user_id,
            }),
          deps.slack,
          command.channel_id,
        ),
      );
    await (limit ? limit(work) : work());
  });
}
