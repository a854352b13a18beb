import { assertNoDeploymentInProgress, assertUnlocked } from '../handlers/deploy/start.js';
import { describeChange } from '../handlers/promote/describe.js';
import { type ApprovedPromotion, executePromotion } from '../handlers/promote/execute.js';
import { describeRestart, startRestart } from '../handlers/restart/start.js';
import { commitRollback, revertRollback, runRollback } from '../handlers/rollback/run.js';
import type { Clock } from './clock.js';
import type { AppOpsClient } from './do/app-ops-port.js';
import type { Deployment, DoClient } from './do/port.js';
import type { DeploymentFollower } from './follow-deployment.js';
import type { GitHubClient } from './github/client.js';
import type { LockStore } from './locks/types.js';
import { deploymentMessage } from './render/deployment.js';
import { escapeText, shortId } from './render/format.js';
import type { MessageRef, SlackMessage } from './slack/reply.js';
import type { WatchRecord } from './watchers.js';

/**
 * Operations that start a deployment and hand it to the follower, used both by
 * commands (staging) and by approved requests (production). The caller says where
 * the progress message goes.
 */
export interface RunnerDeps {
  do: DoClient;
  locks: LockStore;
  follower: DeploymentFollower;
  clock: Clock;
  github?: GitHubClient;
}

export interface EnvTarget {
  app: string;
  env: string;
  appId: string;
  healthUrl?: string;
  autoRollback?: boolean;
}

export interface RunContext {
  user: string;
  /** Posts the progress message (in the channel the request came from). */
  post: (message: SlackMessage) => Promise<MessageRef>;
  auditRef?: string;
  approvalId?: string;
}

export interface Started {
  detail: string;
  deployment: Deployment;
  doIds: Record<string, string>;
}

async function follow(
  deps: RunnerDeps,
  target: EnvTarget,
  run: RunContext,
  deployment: Deployment,
  kind: string,
  lines?: string[],
): Promise<Started> {
  const record: WatchRecord = {
    deploymentId: deployment.id,
    appId: target.appId,
    app: target.app,
    env: target.env,
    kind,
    user: run.user,
    message: { channel: '', ts: '' },
    startedAt: new Date(deps.clock.now()).toISOString(),
    ...(target.healthUrl ? { healthUrl: target.healthUrl } : {}),
    ...(target.autoRollback ? { autoRollback: true } : {}),
    ...(run.auditRef ? { auditRef: run.auditRef } : {}),
    ...(run.approvalId ? { approvalId: run.approvalId } : {}),
    ...(lines && lines.length > 0 ? { lines } : {}),
  };
  record.message = await run.post(deploymentMessage({ record, deployment, now: deps.clock.now() }));
  await deps.follower.start(record);
  return {
    detail: `deployment ${deployment.id} started`,
    deployment,
    doIds: { appId: target.appId, deploymentId: deployment.id },
  };
}

export async function runDeploy(deps: RunnerDeps, target: EnvTarget, run: RunContext, forceBuild: boolean) {
  await assertUnlocked(deps.locks, target);
  await assertNoDeploymentInProgress(deps.do, target);
  const deployment = await deps.do.createDeployment(target.appId, { forceBuild });
  return follow(deps, target, run, deployment, 'deploy');
}

export async function runPromotion(
  deps: RunnerDeps,
  target: EnvTarget,
  run: RunContext,
  approved: ApprovedPromotion,
) {
  const result = await executePromotion({
    do: deps.do,
    locks: deps.locks,
    clock: deps.clock,
    plan: approved,
    ...(deps.github ? { github: deps.github } : {}),
  });
  const deployment = await deps.do.getDeployment(target.appId, result.deploymentId);
  const lines = [
    ...result.plan.components.map(describeChange),
    ...result.moved.map(
      (m) => `Moved branch \`${m.branch}\` of ${m.repo} to ${m.to.slice(0, 7)} (fast-forward).`,
    ),
  ];
  return follow(deps, target, run, deployment, 'promote', lines);
}

export async function runRollbackTo(
  deps: RunnerDeps,
  target: EnvTarget,
  run: RunContext,
  deploymentId: string,
) {
  const result = await runRollback({
    do: deps.do,
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
  // Health is not re-checked on the target: the point is to get back to what worked.
  return follow(deps, { ...target, autoRollback: false }, run, result.deployment, 'rollback', lines);
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
  const result = await revertRollback({
    do: deps.do,
    locks: deps.locks,
    appName: target.app,
    env: target.env,
    appId: target.appId,
  });
  return follow(deps, target, run, result.deployment, 'revert', [result.message]);
}

export async function runRestart(
  deps: RunnerDeps & { ops: AppOpsClient },
  target: EnvTarget,
  run: RunContext,
  components: readonly string[],
) {
  const deployment = await startRestart(deps, target, components);
  return follow(deps, target, run, deployment, 'restart', [describeRestart(components)]);
}
