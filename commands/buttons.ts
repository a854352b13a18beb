import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Dedupe } from '../src/dedupe.js';
import { ACTION_LOGS_COMMAND } from '../src/render/log-excerpt.js';
import { ROLLBACK_COMMAND_ACTIONS } from '../src/render/rollback-buttons.js';
import type { ResponseUrlPoster } from '../src/slack/response-url.js';
import { type DispatchDeps, dispatch } from './dispatch.js';
import { slackReply } from './index.js';

/**
 * Buttons that stand for a command (pick a rollback target, commit, revert, open a
 * full log) run exactly as if the clicker had typed it: same parsing, access check
 * and audit.
 */
export function registerCommandButtons(
  app: App,
  deps: DispatchDeps & { dedupe: Dedupe; respondTo: ResponseUrlPoster },
): void {
  for (const [actionId, slash] of [
    [ROLLBACK_COMMAND_ACTIONS, '/rollback'],
    [ACTION_LOGS_COMMAND, '/logs'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const first = await deps.dedupe.once(`click:${body.trigger_id}`, 3600).catch(() => true);
      if (!first) return;
      const channel = body.channel?.id ?? body.container?.channel_id ?? '';
      await dispatch(
        deps,
        {
          user: body.user.id,
          channel,
          text: action.value ?? '',
          commandText: slash,
          requestId: randomUUID().slice(0, 8),
          // A log asked for from a deployment's line (or its thread) is a detail of that thread.
          ...(slash === '/logs' && !body.container?.is_ephemeral && body.container?.message_ts
            ? { threadTs: String(body.container.thread_ts ?? body.container.message_ts) }
            : {}),
        },
        slash,
        slackReply(
          (reply) => deps.respondTo(body.response_url, reply, { channel, user: body.user.id }),
          deps.slack,
          channel,
        ),
      );
    });
  }
}
