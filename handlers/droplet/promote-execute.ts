import type { ExecutionResult } from '../../approvals/service.js';
import type { ApprovalRequest } from '../../approvals/types.js';
import { DocksideError } from '../../src/errors.js';
import { assertBindingHolds, planDropletPromote } from './promote-plan.js';
import { approvedContext, approvedResult, type DropletExecuteDeps } from './rollback-execute.js';
import { runDropletPlan } from './run.js';

/**
 * An approved Droplet promotion: planned again, and run only while the source env runs
 * the digests the approver saw and the target env still runs what it ran then.
 */
export async function executeDropletPromote(
  deps: DropletExecuteDeps,
  r: ApprovalRequest,
): Promise<ExecutionResult> {
  const app = r.app ?? '';
  const toEnv = r.env ?? '';
  const fromEnv = r.binding.from_env ?? '';
  const promotion = await planDropletPromote(
    deps.targets.droplet(app, fromEnv),
    deps.targets.droplet(app, toEnv),
  );
  if (promotion.nothingToDo) {
    throw new DocksideError(
      'approval_stale',
      `${app} ${toEnv} already runs what ${app} ${fromEnv} runs now, so this approval is void and nothing was done.`,
    );
  }
  assertBindingHolds(
    r.binding,
    promotion.plan.binding,
    [
      { key: 'from_digests', what: `What ${app} ${fromEnv} runs` },
      { key: 'current', what: `What ${app} ${toEnv} runs` },
    ],
    r.command,
  );
  const result = await runDropletPlan(deps, promotion.plan, approvedContext(deps, r));
  return approvedResult(result, app, toEnv);
}
