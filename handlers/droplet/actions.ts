import type { EnvConfig } from '../../src/config/schema.js';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import { dropletPromoteSummary, dropletRollbackSummary } from '../../src/render/droplet-releases.js';
import { outcomeSummary } from '../../src/render/droplet-rollout.js';
import type {
  ActionContext,
  ActionRequest,
  ActionResult,
  ApprovedAction,
  Prepared,
  TargetActions,
} from '../deploy/actions.js';
import { assertUnlocked } from '../deploy/start.js';
import type { DropletTarget, ReleasePlan } from '../deploy/target.js';
import { assertBindingHolds, planDropletPromote } from './promote-plan.js';
import { planDropletRollback } from './rollback-plan.js';
import { type DropletRunDeps, runDropletPlan } from './run.js';
import { deployApproval, replanApproved } from './run-deploy.js';

/** What an approval binds a Droplet plan to: its fresh release id changes with every plan, so it is left out. */
export function approvalBinding(plan: ReleasePlan): Record<string, string> {
  const { release_id: _fresh, ...binding } = plan.binding;
  return binding;
}

/**
 * A Droplet env's actions: each is planned from what the hosts run now, and the plan
 * that was checked (or approved, and planned again identically) is what the rollout
 * carries out, under a run intent and audit entries (handlers/droplet/run.ts).
 */
export function createDropletActions(
  deps: DropletRunDeps,
  target: DropletTarget,
  envConfig: EnvConfig,
): TargetActions {
  const { app, env } = target;

  async function done(plan: ReleasePlan, context: ActionContext): Promise<ActionResult> {
    const result = await runDropletPlan(deps, plan, context);
    return {
      status: 'done',
      ok: result.ok,
      detail: outcomeSummary(app, env, result),
      releaseId: plan.release.id,
    };
  }

  async function prepare(request: ActionRequest, options: { approval: boolean }): Promise<Prepared> {
    // A locked env is refused before the registry or a host is asked anything.
    await assertUnlocked(deps.locks, { app, env });
    if (request.kind === 'deploy') {
      if (options.approval) {
        // An approver must see what runs now: a host that cannot be reached or read (an
        // unknown host key) stops the request here, naming the host. Hosts that drifted
        // apart do not: the deploy brings them together.
        await target.currentRelease().catch((err: unknown) => {
          if (!isDocksideError(err, 'deploy_failed')) throw err;
        });
      }
      const tag = request.tag ?? 'latest';
      const plan = await target.planDeploy({ tag });
      return { status: 'ready', action: { kind: 'deploy', ...deployApproval(target, plan, tag), plan } };
    }
    if (request.kind === 'rollback') {
      const { plan, record } = await planDropletRollback({
        target,
        releaseId: request.to,
        ...(request.listState !== undefined ? { listState: request.listState } : {}),
      });
      return {
        status: 'ready',
        action: {
          kind: 'rollback',
          summary: dropletRollbackSummary(plan, record, target.describe(plan)),
          binding: approvalBinding(plan),
          params: { release_id: record.id },
          plan,
        },
      };
    }
    const promotion = await planDropletPromote(deps.targets.droplet(app, request.from), target);
    if (promotion.nothingToDo) {
      return {
        status: 'nothing',
        message: `${app} ${env} already runs exactly the digests ${request.from} runs; nothing to promote.`,
      };
    }
    const { plan, source } = promotion;
    return {
      status: 'ready',
      action: {
        kind: 'promote',
        summary: dropletPromoteSummary(
          plan,
          { env: request.from, release: source },
          target.describe(plan),
          envConfig.droplets?.migrate !== undefined,
        ),
        binding: approvalBinding(plan),
        params: { from_env: request.from },
        plan,
      },
    };
  }

  /**
   * The approved request planned again now, and run only while what the approver saw
   * holds: the env (and a promotion's source) runs what it ran then, and a deploy's tag
   * names the same digests. The target re-checks the env once more under its rollout claim.
   */
  async function replan(approved: ApprovedAction): Promise<ReleasePlan> {
    if (approved.kind === 'deploy') return replanApproved(target, approved);
    if (approved.kind === 'rollback') {
      const { plan } = await planDropletRollback({ target, releaseId: approved.binding.rollback_to ?? '' });
      const keys = [{ key: 'current', what: `What ${app} ${env} runs` }];
      assertBindingHolds(approved.binding, plan.binding, keys, approved.command);
      return plan;
    }
    const fromEnv = approved.binding.from_env ?? '';
    const promotion = await planDropletPromote(deps.targets.droplet(app, fromEnv), target);
    if (promotion.nothingToDo) {
      throw new DocksideError(
        'approval_stale',
        `${app} ${env} already runs what ${app} ${fromEnv} runs now, so this approval is void and nothing was done.`,
      );
    }
    const keys = [
      { key: 'from_digests', what: `What ${app} ${fromEnv} runs` },
      { key: 'current', what: `What ${app} ${env} runs` },
    ];
    assertBindingHolds(approved.binding, promotion.plan.binding, keys, approved.command);
    return promotion.plan;
  }

  return {
    prepare,
    async run(action, context) {
      if (!action.plan)
        throw new DocksideError('internal', `A ${action.kind} of ${app} ${env} came without its plan.`);
      return done(action.plan, context);
    },
    async runApproved(approved, context) {
      return done(await replan(approved), context);
    },
  };
}
