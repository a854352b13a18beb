// App Platform operations: each checks what it must, then launches its deployment under a run intent (launch.ts).
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { escapeText, shortId } from '../../src/render/format.js';
import { describeChange } from '../../src/render/promote.js';
import { type ApprovedPromotion, executePromotion } from '../promote/execute.js';
import { describeRestart, startRestart } from '../restart/start.js';
import { commitRollback, revertRollback, runRollback } from '../rollback/run.js';
import { type EnvTarget, launch, type RunContext, type RunnerDeps } from './launch.js';
import { assertNoDeploymentInProgress, assertUnlocked } from './start.js';

// Where a deployment is launched and handed over lives in launch.ts; its types are imported from here too.
export type { EnvTarget, IntentRuntime, RunContext, RunnerDeps, Started } from './launch.js';

export async function runDeploy(deps: RunnerDeps, target: EnvTarget, run: RunContext, forceBuild: boolean) {
  return launch(deps, target, run, 'deploy', async (client) => {
    await assertUnlocked(deps.locks, target);
    await assertNoDeploymentInProgress(client, target);
    return { deployment: await client.createDeployment(target.appId, { forceBuild }) };
  });
}

export async function runPromotion(
  deps: RunnerDeps,
  target: EnvTarget,
  run: RunContext,
  approved: ApprovedPromotion,
) {
  return launch(deps, target, run, 'promote', async (client) => {
    const result = await executePromotion({
      do: client,
      locks: deps.locks,
      clock: deps.clock,
      plan: approved,
      ...(deps.github ? { github: deps.github } : {}),
    });
    const deployment = await client.getDeployment(target.appId, result.deploymentId);
    const lines = [
      ...result.plan.components.map(describeChange),
      ...result.moved.map(
        (m) => `Moved branch \`${m.branch}\` of ${m.repo} to ${m.to.slice(0, 7)} (fast-forward).`,
      ),
    ];
    return { deployment, lines };
  });
}

export async function runRollbackTo(
  deps: RunnerDeps,
  target: EnvTarget,
  run: RunContext,
  deploymentId: string,
) {
  // Health is not re-checked on the target: the point is to get back to what worked.
  return launch(
    deps,
    { ...target, autoRollback: false },
    run,
    'rollback',
    async (client) => {
      const result = await runRollback({
        do: client,
        locks: deps.locks,
        appName: target.app,
        env: target.env,
        appId: target.appId,
        deploymentId,
        user: run.user,
        clock: deps.clock,
      });
      const lines = [
        `Rolling back from \`${shortId(result.previousDeploymentId)}\` to \`${shortId(result.targetDeploymentId)}\`.`,
        ...result.warnings.map((w) => `:warning: ${w}`),
        result.lock
          ? `:lock: ${target.app} ${target.env} is locked: ${escapeText(result.lock.reason)}. *Commit* keeps this version and the lock, ` +
            'so nothing deploys over it before a fix; *Revert* goes back to what ran before and lifts the lock.'
          : `:warning: The automatic lock could not be written: ${escapeText(result.lockProblem ?? 'unknown reason')}. Lock it by hand with \`/lock ${target.app} ${target.env}\`.`,
      ];
      return { deployment: result.deployment, lines };
    },
    deploymentId,
  );
}

export async function runCommitRollback(deps: RunnerDeps, target: EnvTarget) {
  return commitRollback({
    do: deps.do,
    locks: deps.locks,
    appName: target.app,
    env: target.env,
    appId: target.appId,
  });
}

export async function runRevertRollback(deps: RunnerDeps, target: EnvTarget, run: RunContext) {
  return launch(deps, target, run, 'revert', async (client) => {
    const result = await revertRollback({
      do: client,
      locks: deps.locks,
      appName: target.app,
      env: target.env,
      appId: target.appId,
    });
    return { deployment: result.deployment, lines: [result.message] };
  });
}

export async function runRestart(
  deps: RunnerDeps & { ops: AppOpsClient },
  target: EnvTarget,
  run: RunContext,
  components: readonly string[],
) {
  return launch(deps, target, run, 'restart', async (client, creating) => {
    const ops: AppOpsClient = {
      ...deps.ops,
      restart: async (appId, only) => {
        await creating();
        return deps.ops.restart(appId, only);
      },
    };
    const deployment = await startRestart({ do: client, ops, locks: deps.locks }, target, components);
    return { deployment, lines: [describeRestart(components)] };
  });
}
