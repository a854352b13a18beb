import type { ApprovalService } from '../approvals/service.js';
import type { ActionContext, ActionRequest } from '../handlers/deploy/actions.js';
import type { DeployTarget } from '../handlers/deploy/target.js';
import { askForApproval, typedCommand } from './approval.js';
import type { CommandContext, CommandOutcome } from './types.js';

const VERB = { deploy: 'deploy', rollback: 'roll back', promote: 'promote' } as const;

/** Who asked and where the progress goes, for an action run at once from a command. */
export function commandContext(ctx: CommandContext): ActionContext {
  return {
    user: ctx.invocation.user,
    channel: ctx.invocation.channel,
    command: typedCommand(ctx),
    post: (m) => ctx.reply.inChannel(m),
    ...(ctx.auditId ? { auditRef: ctx.auditId } : {}),
  };
}

/**
 * What /deploy, /rollback <id> and /promote share, whichever kind the env is: the target
 * prepares the request (refusing a locked env, a stale list, a request it cannot do),
 * then it waits for approval bound to what runs now, or runs at once.
 */
export async function carryOut(
  ctx: CommandContext,
  approvals: Pick<ApprovalService, 'request'>,
  target: DeployTarget,
  request: ActionRequest,
  approval: boolean,
): Promise<CommandOutcome> {
  const prepared = await target.prepare(request, { approval });
  if (prepared.status === 'nothing') {
    await ctx.reply.ephemeral({ text: prepared.message });
    return { result: 'succeeded', detail: `nothing to ${VERB[request.kind]}` };
  }
  if (prepared.status === 'blocked') {
    await ctx.reply.ephemeral({
      text: [
        `Cannot ${VERB[request.kind]} ${target.app} now:`,
        ...prepared.reasons.map((b) => `• ${b}`),
      ].join('\n'),
    });
    return { result: 'refused', detail: prepared.reasons.join(' ').slice(0, 300) };
  }
  const { action } = prepared;
  if (approval) {
    return askForApproval(ctx, approvals, {
      kind: action.kind,
      app: target.app,
      env: target.env,
      summary: action.summary,
      binding: action.binding,
      params: action.params,
    });
  }
  const result = await target.run(action, commandContext(ctx));
  if (result.status === 'started') return { result: 'succeeded', detail: result.detail, doIds: result.doIds };
  return {
    result: result.ok ? 'succeeded' : 'failed',
    detail: result.detail,
    data: { releaseId: result.releaseId },
  };
}
