import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Dedupe } from '../src/dedupe.js';
import { isDocksideError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { SlackPoster } from '../src/slack/reply.js';
import { toUserMessage } from '../src/user-message.js';
import { ACTION_APPROVE, ACTION_CANCEL, ACTION_REJECT, rejectReasonView, VIEW_REJECT } from './render.js';
import type { ApprovalService } from './service.js';

/** What a click hears when Redis (approvals, audit) cannot be reached: the store refused, so nothing changed. */
export const REDIS_DOWN_ANSWER = 'dockside cannot reach Redis; nothing was done, try again in a minute.';

/**
 * Approve / Reject / Cancel buttons and the reject-reason dialog. Each click is acked
 * at once and handled once across replicas: Slack may deliver the same click twice.
 */
export function registerApprovalActions(
  app: App,
  deps: { service: ApprovalService; dedupe: Dedupe; slack: SlackPoster; log: Logger },
): void {
  const firstTime = async (key: string): Promise<boolean> => {
    try {
      return await deps.dedupe.once(key, 3600);
    } catch {
      return true; // Redis down: the store refuses the transition anyway
    }
  };
  const tell = async (body: BlockAction, text: string | null) => {
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!text || !channel) return;
    await deps.slack
      .postEphemeral(channel, body.user.id, { text })
      .catch((err: unknown) => deps.log.warn({ err }, 'could not answer a click'));
  };

  /** Every click gets an answer, even when what it needs is down. */
  const answer = async (body: BlockAction, work: () => Promise<string | null>) => {
    let text: string | null;
    try {
      text = await work();
    } catch (err) {
      text =
        isDocksideError(err, 'redis_unavailable') || isDocksideError(err, 'audit_unavailable')
          ? REDIS_DOWN_ANSWER
          : toUserMessage(err, deps.log, { user: body.user.id });
    }
    await tell(body, text);
  };

  app.action<BlockAction<ButtonAction>>(ACTION_APPROVE, async ({ ack, body, action }) => {
    await ack();
    if (!(await firstTime(`click:${body.trigger_id}`))) return;
    await answer(body, () => deps.service.approve(action.value ?? '', body.user.id));
  });

  app.action<BlockAction<ButtonAction>>(ACTION_CANCEL, async ({ ack, body, action }) => {
    await ack();
    if (!(await firstTime(`click:${body.trigger_id}`))) return;
    await answer(body, () => deps.service.cancel(action.value ?? '', body.user.id));
  });

  app.action<BlockAction<ButtonAction>>(ACTION_REJECT, async ({ ack, body, action, client }) => {
    await ack();
    if (!(await firstTime(`click:${body.trigger_id}`))) return;
    await answer(body, async () => {
      const check = await deps.service.mayReject(action.value ?? '', body.user.id);
      if (!check.ok) return check.reason;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: rejectReasonView(check.request) as never,
      });
      return null;
    });
  });

  app.view(VIEW_REJECT, async ({ ack, body, view }) => {
    const reason = view.state.values.reason?.reason?.value?.trim() ?? '';
    if (reason.length < 3) {
      await ack({
        response_action: 'errors',
        errors: { reason: 'Say in a few words why, so the requester knows what to change.' },
      });
      return;
    }
    await ack();
    if (!(await firstTime(`view:${view.id}`))) return;
    const problem = await deps.service.reject(view.private_metadata, body.user.id, reason);
    if (problem) deps.log.info({ approvalId: view.private_metadata }, 'reject refused after the dialog');
  });
}
