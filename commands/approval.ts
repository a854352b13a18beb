import type { ApprovalService, FiledRequest, RequestInput } from '../approvals/service.js';
import { mention, plural, slackDate } from '../src/render/format.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** What the requester reads once a request is filed, or found already waiting. */
export function filedAnswer(ctx: CommandContext, request: FiledRequest): string {
  const ops = ctx.config.channels.ops;
  const where = ctx.invocation.channel === ops ? 'above' : `in <#${ops}>`;
  if (request.duplicate) {
    return (
      `The same request is already waiting for approval ${where}: request ${request.id}, asked by ` +
      `${mention(request.requester)} ${slackDate(request.createdAt)}, expires ${slackDate(request.expiresAt)}. ` +
      'Nothing new was filed; ask an approver to look at that one.'
    );
  }
  return (
    `Asked for approval ${where} (request ${request.id}, needs ${plural(request.required, 'approver')}, ` +
    `expires in ${ctx.config.approvals.ttl_minutes} min). Nothing runs until then; you can cancel it there.`
  );
}

/** The command as typed, without a list button's `--list <state>` bookkeeping (not something an approver needs to read). */
export function typedCommand(ctx: CommandContext): string {
  return `${ctx.invocation.commandText} ${ctx.invocation.text.replace(/\s--list\s\S+/, '')}`.trim();
}

/** Files an approval request for a command and tells the requester where it waits. */
export async function askForApproval(
  ctx: CommandContext,
  approvals: Pick<ApprovalService, 'request'>,
  input: Omit<RequestInput, 'requester' | 'channel' | 'command'>,
): Promise<CommandOutcome> {
  const request = await approvals.request({
    ...input,
    requester: ctx.invocation.user,
    channel: ctx.invocation.channel,
    command: typedCommand(ctx),
  });
  await ctx.reply.ephemeral({ text: filedAnswer(ctx, request) });
  if (request.duplicate) {
    return {
      result: 'refused',
      detail: `identical request ${request.id} is pending`,
      data: { approvalId: request.id },
    };
  }
  return { result: 'requested', detail: `approval ${request.id}`, data: { approvalId: request.id } };
}
