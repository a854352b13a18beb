import type { KnownBlock } from '@slack/types';
import { escapeText, mention, plural, slackDate, truncate } from '../src/render/format.js';
import type { ApprovalRequest, ApprovalState } from './types.js';

export const ACTION_APPROVE = 'approval.approve';
export const ACTION_REJECT = 'approval.reject';
export const ACTION_CANCEL = 'approval.cancel';
export const VIEW_REJECT = 'approval.reject_reason';

const KIND_TITLE: Record<ApprovalRequest['kind'], string> = {
  deploy: 'Deploy',
  promote: 'Promote',
  rollback: 'Roll back',
  revert: 'Revert the rollback of',
  restore: 'Restore',
  restart: 'Restart',
};

const STATE_WORDS: Record<ApprovalState, string> = {
  pending: 'This request is still waiting for approval',
  approved: 'This request was approved and is starting',
  running: 'This request was approved and is running',
  succeeded: 'This request already ran and succeeded',
  failed: 'This request already ran and failed',
  rejected: 'This request was rejected',
  expired: 'This request has expired',
  cancelled: 'This request was cancelled',
};

/** "This request already ran and succeeded": where a request stands, as a sentence. */
export function stateSentence(state: ApprovalState): string {
  return STATE_WORDS[state];
}

/** The outcome line is built from error texts and DigitalOcean's words: escaped. */
const outcome = (r: ApprovalRequest) => (r.outcome ? ` ${escapeText(r.outcome)}` : '');

const STATE_LINE: Record<ApprovalState, (r: ApprovalRequest) => string> = {
  pending: (r) =>
    `:hourglass_flowing_sand: Waiting for ${plural(r.required - r.approvals.length, 'more approval')}.`,
  approved: (r) => `:white_check_mark: Approved by ${approvers(r)}; starting.`,
  running: (r) => `:gear: Approved by ${approvers(r)}; running.`,
  succeeded: (r) => `:white_check_mark: Approved by ${approvers(r)}; done.${outcome(r)}`,
  failed: (r) => `:x: Approved by ${approvers(r)}; failed.${outcome(r)}`,
  rejected: (r) =>
    `:no_entry: Rejected by ${r.rejection ? mention(r.rejection.user) : 'someone'}: ${escapeText(r.rejection?.reason ?? 'no reason given')}`,
  expired: () =>
    ':alarm_clock: Expired without enough approvals; nothing was done. Ask again if it is still needed.',
  cancelled: (r) =>
    `:heavy_multiplication_x: Cancelled by ${mention(r.cancelledBy ?? r.requester)}; nothing was done.`,
};

function approvers(r: ApprovalRequest): string {
  return r.approvals.map((a) => mention(a.user)).join(', ') || 'nobody';
}

function what(r: ApprovalRequest): string {
  const target = r.database ?? [r.app, r.env].filter(Boolean).join(' ');
  return `${KIND_TITLE[r.kind]} ${target}`;
}

/** The approval message in the ops channel. Buttons only while it is pending. */
export function approvalMessage(r: ApprovalRequest): { text: string; blocks: KnownBlock[] } {
  const pending = r.state === 'pending';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${pending ? ':raised_hand:' : ''} *Approval ${pending ? 'needed' : r.state}: ${what(r)}*`.trim(),
      },
    },
    // The summary is mrkdwn already: its writer (handlers/*/describe.ts) escaped what came from outside.
    { type: 'section', text: { type: 'mrkdwn', text: truncate(r.summary, 2900) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Requested by ${mention(r.requester)} in <#${r.channel}> with \`${escapeText(r.command, 'code')}\` · needs ${plural(r.required, 'approver')} · expires ${slackDate(r.expiresAt)} · request ${r.id}`,
        },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: STATE_LINE[r.state](r) } },
  ];
  if (pending) {
    blocks.push({
      type: 'actions',
      block_id: `approval:${r.id}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION_APPROVE,
          text: { type: 'plain_text', text: 'Approve' },
          style: 'primary',
          value: r.id,
          confirm: {
            title: { type: 'plain_text', text: 'Approve this?' },
            text: { type: 'mrkdwn', text: truncate(`${what(r)}, as requested by <@${r.requester}>.`, 290) },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Not yet' },
          },
        },
        {
          type: 'button',
          action_id: ACTION_REJECT,
          text: { type: 'plain_text', text: 'Reject' },
          style: 'danger',
          value: r.id,
        },
        {
          type: 'button',
          action_id: ACTION_CANCEL,
          text: { type: 'plain_text', text: 'Cancel (requester)' },
          value: r.id,
        },
      ],
    });
  }
  return { text: `Approval ${pending ? 'needed' : r.state}: ${what(r)}`, blocks };
}

/** The note in the requester's channel, pointing at the approval in the ops channel. */
export function requesterNote(
  r: ApprovalRequest,
  opsChannel: string,
): { text: string; blocks: KnownBlock[] } {
  const pending = r.state === 'pending';
  const head = pending
    ? `*${what(r)}* needs approval: it is waiting in <#${opsChannel}> (request ${r.id}).`
    : `*${what(r)}* (request ${r.id} in <#${opsChannel}>):`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${head}\n${STATE_LINE[r.state](r)}` } },
  ];
  if (pending) {
    blocks.push({
      type: 'actions',
      block_id: `approval:${r.id}:note`,
      elements: [
        {
          type: 'button',
          action_id: ACTION_CANCEL,
          text: { type: 'plain_text', text: 'Cancel request' },
          value: r.id,
        },
      ],
    });
  }
  return { text: `${what(r)}: approval ${r.state}`, blocks };
}

/** The modal that asks a rejecter why. */
export function rejectReasonView(r: ApprovalRequest): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: VIEW_REJECT,
    private_metadata: r.id,
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(`*${what(r)}* requested by <@${r.requester}>`, 2900) },
      },
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: 'Why? The requester sees this.' },
        element: {
          type: 'plain_text_input',
          action_id: 'reason',
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  };
}
