import type { ExecutionResult } from '../../approvals/service.js';
import type { ApprovalRequest } from '../../approvals/types.js';
import { outcomeSummary } from '../../src/render/droplet-rollout.js';
import { mention } from '../../src/render/format.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { ReleasePlan, RolloutResult } from '../deploy/target.js';
import type { DeployTargets } from '../deploy/targets.js';
import { assertBindingHolds } from './promote-plan.js';
import { planDropletRollback } from './rollback-plan.js';
import { type DropletRunContext, type DropletRunDeps, runDropletPlan } from './run.js';

export type DropletExecuteDeps = DropletRunDeps & {
  targets: Pick<DeployTargets, 'droplet'>;
  slack: Pick<SlackPoster, 'post' | 'update'>;
};

/** What an approval binds a Droplet plan to: its fresh release id changes with every plan, so it is left out. */
export function approvalBinding(plan: ReleasePlan): Record<string, string> {
  const { release_id: _fresh, ...binding } = plan.binding;
  return binding;
}

/** Where an approved Droplet run reports: the channel it was asked from, tied to the approval. */
export function approvedContext(deps: DropletExecuteDeps, r: ApprovalRequest): DropletRunContext {
  const approvers = r.approvals.map((a) => mention(a.user)).join(', ');
  return {
    user: r.requester,
    channel: r.channel,
    command: r.command,
    post: (m) => deps.slack.post(r.channel, m),
    approvalId: r.id,
    ...(approvers ? { lines: [`Approved by ${approvers}.`] } : {}),
  };
}

export function approvedResult(result: RolloutResult, app: string, env: string): ExecutionResult {
  return { status: 'done', ok: result.ok, detail: outcomeSummary(app, env, result) };
}

/**
 * An approved Droplet rollback: planned again from the release log, and run only while
 * the env runs what it ran when approval was asked (the target re-checks that once more
 * under its rollout claim).
 */
export async function executeDropletRollback(
  deps: DropletExecuteDeps,
  r: ApprovalRequest,
): Promise<ExecutionResult> {
  const app = r.app ?? '';
  const env = r.env ?? '';
  const target = deps.targets.droplet(app, env);
  const { plan } = await planDropletRollback({
    target,
    releaseId: r.binding.rollback_to ?? '',
  });
  assertBindingHolds(
    r.binding,
    plan.binding,
    [{ key: 'current', what: `What ${app} ${env} runs` }],
    r.command,
  );
  const result = await runDropletPlan(deps, plan, approvedContext(deps, r));
  return approvedResult(result, app, env);
}
