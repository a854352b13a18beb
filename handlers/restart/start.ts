/**
 * A rolling restart of an App Platform app (`POST /v2/apps/{id}/restart`): new
 * instances of the same build, all services and workers or the ones named. It
 * creates a deployment, so it is guarded like a deploy: lock, a deployment already
 * under way, a rollback pin.
 */

import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import type { App, Deployment, DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { LockStore } from '../../src/locks/types.js';
import { codeSpan as code } from '../../src/render/logs.js';
import { assertNoDeploymentInProgress, assertUnlocked, type DeployTarget } from '../deploy/start.js';

/** Only services and workers run instances that a restart replaces. */
export function restartable(app: Pick<App, 'spec'>): string[] {
  return [...(app.spec.services ?? []), ...(app.spec.workers ?? [])].map((c) => c.name);
}

function assertComponents(app: App, target: DeployTarget, components: readonly string[]): void {
  const names = restartable(app);
  const unknown = components.filter((c) => !names.includes(c));
  if (unknown.length === 0) return;
  throw new DocksideError(
    'usage',
    `${target.app} ${target.env} has no service or worker ${unknown.map(code).join(', ')} to restart.`,
    { hint: `Services and workers: ${names.map(code).join(', ') || '(none)'}.` },
  );
}

function assertRestartable(app: App, target: DeployTarget): void {
  if (app.pinnedDeployment) {
    throw new DocksideError(
      'env_locked',
      `${target.app} ${target.env} is pinned to rollback deployment ${app.pinnedDeployment.id.slice(0, 8)}; App Platform starts nothing new until the rollback is committed or reverted.`,
      { hint: `Nothing was restarted. \`/rollback ${target.app} ${target.env} commit\` keeps the rollback.` },
    );
  }
  if (!app.activeDeployment) {
    throw new DocksideError(
      'not_available',
      `${target.app} ${target.env} has no active deployment to restart.`,
    );
  }
}

/** What a production restart request is bound to: if production moves on, the approval is void. */
export async function restartBinding(
  doClient: DoClient,
  target: DeployTarget,
  components: readonly string[],
): Promise<Record<string, string>> {
  const app = await doClient.getApp(target.appId);
  assertRestartable(app, target);
  assertComponents(app, target, components);
  return {
    app_id: target.appId,
    env: target.env,
    active_deployment_id: app.activeDeployment?.id ?? 'none',
    components: components.join(',') || '*',
  };
}

/** Checks, then asks App Platform for the restart (sent once, never retried). */
export async function startRestart(
  deps: { do: DoClient; ops: AppOpsClient; locks: LockStore },
  target: DeployTarget,
  components: readonly string[],
): Promise<Deployment> {
  await assertUnlocked(deps.locks, target);
  await assertNoDeploymentInProgress(deps.do, target);
  const app = await deps.do.getApp(target.appId);
  assertRestartable(app, target);
  assertComponents(app, target, components);
  return deps.ops.restart(target.appId, components.length > 0 ? [...components] : undefined);
}

export function describeRestart(components: readonly string[]): string {
  const what = components.length > 0 ? components.map(code).join(', ') : 'every service and worker';
  return `Rolling restart of ${what}: new instances of the build that runs now, one at a time.`;
}
