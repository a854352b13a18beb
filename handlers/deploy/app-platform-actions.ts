import type { Config } from '../../src/config/schema.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { DocksideError } from '../../src/errors.js';
import { shortId } from '../../src/render/format.js';
import { describePlan } from '../../src/render/promote.js';
import { describeDrift } from '../../src/render/promote-drift.js';
import { promotionDrift } from '../promote/drift.js';
import { approvedFromBinding } from '../promote/execute.js';
import { planPromotion } from '../promote/plan.js';
import { describeRollbackCheck } from '../rollback/describe.js';
import { validateRollback } from '../rollback/validate.js';
import type {
  ActionContext,
  ActionRequest,
  ActionResult,
  ApprovedAction,
  Prepared,
  TargetActions,
} from './actions.js';
import {
  type EnvTarget,
  type RunnerDeps,
  runDeploy,
  runPromotion,
  runRollbackTo,
  type Started,
} from './runners.js';
import { assertSame } from './stale.js';
import { assertUnlocked, deployBinding } from './start.js';
import { appPlatformAppId } from './target.js';

export type AppPlatformActionDeps = RunnerDeps & { ops: AppOpsClient; config: Config };

const started = (s: Started): ActionResult => ({ status: 'started', detail: s.detail, doIds: s.doIds });

/**
 * An App Platform env's actions. Each starts a deployment on DigitalOcean under a run
 * intent and hands it to the crash-safe follower (handlers/deploy/runners.ts), which
 * reports the outcome and ends an approval on whichever replica holds it then: so
 * `run` answers `started`, never the outcome.
 */
export function createAppPlatformActions(deps: AppPlatformActionDeps, target: EnvTarget): TargetActions {
  const { app, env, appId } = target;
  const label = `${app} ${env}`;

  /** What runs now, or the approval is void: the app of the env and its active deployment. */
  async function assertStillActive(approved: ApprovedAction): Promise<void> {
    assertSame(approved, 'app_id', appId, `The App Platform app of ${label}`);
    const now = await deployBinding(deps.do, { appId, env });
    assertSame(
      approved,
      'active_deployment_id',
      now.active_deployment_id,
      `The active deployment of ${label}`,
    );
  }

  async function prepareDeploy(forceBuild: boolean, approval: boolean): Promise<Prepared> {
    const params = { forceBuild: String(forceBuild) };
    // At once: the lock and a deployment under way are checked as it starts (runners.ts).
    if (!approval) return { status: 'ready', action: { kind: 'deploy', summary: '', binding: {}, params } };
    // Checked before an approver is asked, and again when the deploy runs.
    await assertUnlocked(deps.locks, target);
    const binding = await deployBinding(deps.do, target);
    const build = forceBuild ? ' with a clean build (--force-build)' : '';
    const summary = [
      `New deployment of ${label}${build} from the source configured in its App Platform spec (latest commit of its branch, or its image tag).`,
      `${env} runs deployment \`${shortId(binding.active_deployment_id)}\` now; if that changes before approval, the request is void.`,
    ].join('\n');
    return { status: 'ready', action: { kind: 'deploy', summary, binding, params } };
  }

  async function prepareRollback(to: string, listState: string | undefined): Promise<Prepared> {
    if (listState !== undefined) {
      // A list is superseded once the env runs something else (another of its buttons was used, a deploy ran).
      const activeNow = (await deps.do.getApp(appId)).activeDeployment?.id;
      if (listState !== (activeNow ?? 'none')) {
        const now = activeNow ? `\`${shortId(activeNow)}\`` : 'nothing';
        throw new DocksideError(
          'rollback_invalid',
          `That list of ${label} is out of date: ${label} now runs ${now}, not \`${shortId(listState)}\` as when it was shown.`,
          { hint: `Run \`/rollback ${label}\` for a current list.` },
        );
      }
    }
    // Checked before anything is asked of an approver, and again when the rollback runs.
    await assertUnlocked(deps.locks, target);
    const check = await validateRollback({ do: deps.do, appId, deploymentId: to, appName: app, env });
    if (!check.valid) {
      throw new DocksideError(
        'rollback_invalid',
        `Cannot roll ${label} back to \`${shortId(check.deployment.id)}\`: ${check.errorMessage ?? 'App Platform refused it'}`,
        { hint: `\`/rollback ${label}\` lists deployments you can pick.` },
      );
    }
    return {
      status: 'ready',
      action: {
        kind: 'rollback',
        summary: describeRollbackCheck(check, { appName: app, env }).join('\n'),
        binding: {
          app_id: appId,
          env,
          active_deployment_id: check.activeDeploymentId ?? 'none',
          target_deployment_id: check.deployment.id,
        },
        params: {},
      },
    };
  }

  async function preparePromote(fromEnv: string): Promise<Prepared> {
    // Checked before an approver is asked, and again when the promotion runs.
    await assertUnlocked(deps.locks, target);
    const fromConfig = deps.config.apps[app]?.environments[fromEnv];
    // A missing env stays '' for planPromotion to report.
    const from = { env: fromEnv, appId: fromConfig ? appPlatformAppId(app, fromEnv, fromConfig) : '' };
    const plan = await planPromotion({
      do: deps.do,
      appName: app,
      from,
      to: { env, appId },
      clock: deps.clock,
      ...(deps.github ? { github: deps.github } : {}),
    });
    if (plan.nothingToDo) {
      return {
        status: 'nothing',
        message: `${env} already runs exactly what ${fromEnv} runs; nothing to promote.`,
      };
    }
    if (plan.blockers.length > 0) return { status: 'blocked', reasons: plan.blockers };
    const drift = describeDrift(await promotionDrift(deps, plan), plan.from.env, plan.to.env);
    return {
      status: 'ready',
      action: {
        kind: 'promote',
        summary: [...describePlan(plan), ...drift].join('\n'),
        binding: plan.binding,
        params: {},
      },
    };
  }

  async function start(
    action: Pick<ApprovedAction, 'kind' | 'binding' | 'params'>,
    context: ActionContext,
  ): Promise<ActionResult> {
    if (action.kind === 'deploy') {
      return started(await runDeploy(deps, target, context, action.params.forceBuild === 'true'));
    }
    if (action.kind === 'rollback') {
      return started(await runRollbackTo(deps, target, context, action.binding.target_deployment_id ?? ''));
    }
    // executePromotion re-checks the whole binding (both envs, each component) before it changes anything.
    return started(await runPromotion(deps, target, context, approvedFromBinding(app, action.binding)));
  }

  return {
    async prepare(request: ActionRequest, options) {
      if (request.kind === 'deploy') return prepareDeploy(request.forceBuild ?? false, options.approval);
      if (request.kind === 'rollback') return prepareRollback(request.to, request.listState);
      return preparePromote(request.from);
    },
    run: start,
    async runApproved(approved, context) {
      if (approved.kind !== 'promote') await assertStillActive(approved);
      return start(approved, context);
    },
  };
}
