/**
 * `POST /v2/apps/{id}/restart` (`apps_restart_request`): a rolling restart of all or
 * some components, answered with the deployment it creates (`new_app_deployment`).
 * It runs what the active deployment runs: same spec, same commits.
 */
import type { AppPlatformSim } from './app-platform.js';
import { type SimApp, type SimDeployment, SimHttpError } from './types.js';

export function restart(platform: AppPlatformSim, app: SimApp, components: unknown): SimDeployment {
  if (
    components !== undefined &&
    (!Array.isArray(components) || components.some((c) => typeof c !== 'string'))
  ) {
    throw new SimHttpError(400, 'bad_request', 'components must be a list of component names');
  }
  const names = (components ?? []) as string[];
  const restartable = [...(app.spec.services ?? []), ...(app.spec.workers ?? [])].map((c) => c.name);
  const unknown = names.filter((n) => !restartable.includes(n));
  if (unknown.length > 0) {
    throw new SimHttpError(
      400,
      'bad_request',
      `no service or worker named ${unknown.join(', ')} in this app`,
    );
  }
  const active = app.activeId ? platform.deployment(app, app.activeId) : undefined;
  if (!active) throw new SimHttpError(400, 'bad_request', 'the app has no active deployment to restart');
  return platform.deploy(app, {
    cause: names.length > 0 ? `restart of ${names.join(', ')} requested` : 'app restart requested',
    spec: active.spec,
    commits: active.commits,
  });
}
