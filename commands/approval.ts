import type { ApprovalService, RequestInput } from '../approvals/service.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** Files an approval request for a command and tells the requester where it waits. */
export async function askForApproval(
  ctx: CommandContext,
  approvals: ApprovalService,
  input: Omit<RequestInput, 'requester' | 'channel' | 'command'>,
): Promise<CommandOutcome> {
  const request = await approvals.request({
    ...input,
    requester: ctx.invocation.user,
    channel: ctx.invocation.channel,
    command: `${ctx.invocation.commandText} ${ctx.invocation.text}`.trim(),
  });
  const ops = ctx.config.channels.ops;
  const where = ctx.invocation.channel === ops ? 'above' : `in <#${ops}>`;
  await ctx.reply.ephemeral({
    text: `Asked for approval ${where} (request ${request.id}, needs ${request.required} approver(s), expires in ${ctx.config.approvals.ttl_minutes} min). Nothing runs until then; you can cancel it there.`,
  });
  return { result: 'requested', detail: `approval ${request.id}`, data: { approvalId: request.id } };
}
