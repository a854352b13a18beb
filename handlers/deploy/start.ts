import { type Deployment, type DoClient, deploymentConsoleUrl } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import { describeLock } from '../../src/locks/describe.js';
import type { LockStore } from '../../src/locks/types.js';

export interface DeployTarget {
  app: string;
  env: string;
  appId: string;
}

/** Refuses while the env is locked, saying who locked it, why and since when. */
export async function assertUnlocked(locks: LockStore, target: { app: string; env: string }): Promise<void> {
  const lock = await locks.get(target.app, target.env);
  if (!lock) return;
  throw new DocksideError('env_locked', `${target.app} ${target.env} is ${describeLock(lock)}.`, {
    hint: `Nothing was deployed. \`/unlock ${target.app} ${target.env}\` lifts the lock.`,
  });
}

/** Reports a deployment already under way instead of starting a second one. */
export async function assertNoDeploymentInProgress(doClient: DoClient, target: DeployTarget): Promise<void> {
  const app = await doClient.getApp(target.appId);
  const running = app.inProgressDeployment ?? app.pendingDeployment;
  if (!running) return;
  throw new DocksideError(
    'deploy_in_progress',
    `A deployment of ${target.app} ${target.env} is already in progress (${running.id.slice(0, 8)}, ${running.phase}).`,
    { hint: `Wait for it to finish: ${deploymentConsoleUrl(target.appId, running.id)}` },
  );
}

/** Checks lock and in-progress deployments, then creates the deployment (sent once, never retried). */
export async function startDeployment(
  deps: { do: DoClient; locks: LockStore },
  target: DeployTarget,
  options: { forceBuild: boolean },
): Promise<Deployment> {
  await assertUnlocked(deps.locks, target);
  await assertNoDeploymentInProgress(deps.do, target);
  return deps.do.createDeployment(target.appId, { forceBuild: options.forceBuild });
}

/** What a production deploy request is bound to: if production moves on, the approval is void. */
export async function deployBinding(doClient: DoClient, args: { appId: string; env: string }) {
  const app = await doClient.getApp(args.appId);
  return {
    app_id: args.appId,
    env: args.env,
    active_deployment_id: app.activeDeployment?.id ?? 'none',
  };
}
