import { randomUUID } from 'node:crypto';
import type { App, RespondFn } from '@slack/bolt';
import { DocksideError } from '../src/errors.js';
import type { Reply, SlackPoster } from '../src/slack/reply.js';
import { type DispatchDeps, dispatch } from './dispatch.js';

/** Slack error codes that mean the bot cannot post in the channel. */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** Reply for one slash command: ephemeral answers through response_url, visible posts as the bot. */
export function slackReply(respond: RespondFn, slack: SlackPoster, channel: string): Reply {
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
export function registerCommands(app: App, deps: DispatchDeps): void {
  app.command(/^\/[a-z][a-z0-9_-]*$/, async ({ command, ack, respond }) => {
    await ack();
    await dispatch(
      deps,
      {
        user: command.user_id,
        channel: command.channel_id,
        text: command.text ?? '',
        commandText: command.command,
        requestId: randomUUID().slice(0, 8),
      },
      command.command,
      slackReply(respond, deps.slack, command.channel_id),
    );
  });
}
