/**
 * App Platform's rollback semantics: validate, roll back (a new deployment of an old
 * one, pinning the app unless skip_pin), then commit (keep it, unpin) or revert
 * (deploy what ran before, unpin). While pinned, AppPlatformSim.deploy refuses.
 */
import type { AppPlatformSim } from './app-platform.js';
import { componentsOf, type SimApp, type SimDeployment, SimHttpError } from './types.js';

/** How many earlier good deployments a rollback may go back (DO keeps a limited history). */
const REVISION_LIMIT = 10;

export interface SimValidation {
  valid: boolean;
  error?: { code: string; message: string };
  warnings: Array<{ code: string; message: string; components: string[] }>;
}

function warningsFor(target: SimDeployment): SimValidation['warnings'] {
  const tagged = componentsOf(target.spec).filter((c) => c.image?.tag && !c.image.digest);
  if (tagged.length === 0) return [];
  return [
    {
      code: 'image_source_missing_digest',
      message: 'image components are deployed by tag; the tag may now point at a different image',
      components: tagged.map((c) => c.name),
    },
  ];
}

export function validateRollback(sim: AppPlatformSim, app: SimApp, deploymentId: string): SimValidation {
  const target = sim.deployment(app, deploymentId);
  const warnings = warningsFor(target);
  const fail = (code: string, message: string) => ({ valid: false, error: { code, message }, warnings });
  if (app.pinnedId) {
    return fail(
      'app_pinned',
      `app is pinned to rollback deployment ${app.pinnedId}; commit or revert it first`,
    );
  }
  if (target.id === app.activeId)
    return fail('incompatible_phase', `deployment ${target.id} is already active`);
  if (target.phase !== 'SUPERSEDED') {
    return fail(
      'incompatible_phase',
      `deployment ${target.id} is ${target.phase}; only deployments that were active can be rolled back to`,
    );
  }
  const good = app.deployments.filter((d) => d.phase === 'SUPERSEDED' || d.phase === 'ACTIVE');
  if (good.indexOf(target) > REVISION_LIMIT) {
    return fail(
      'exceeded_revision_limit',
      `deployment ${target.id} is older than the last ${REVISION_LIMIT}`,
    );
  }
  return { valid: true, warnings };
}

export function rollback(
  sim: AppPlatformSim,
  app: SimApp,
  deploymentId: string,
  skipPin: boolean,
): SimDeployment {
  const check = validateRollback(sim, app, deploymentId);
  if (check.error) throw new SimHttpError(400, 'bad_request', check.error.message);
  const target = sim.deployment(app, deploymentId);
  const active = app.activeId ? sim.deployment(app, app.activeId) : undefined;
  const before = { spec: structuredClone(app.spec), commits: { ...(active?.commits ?? {}) } };
  const dep = sim.start(app, {
    cause: `rollback to deployment ${target.id}`,
    spec: target.spec,
    commits: { ...target.commits },
    clonedFrom: target.id,
  });
  app.spec = structuredClone(target.spec);
  if (!skipPin) {
    app.pinnedId = dep.id;
    app.preRollback = before;
  }
  return dep;
}

export function commitRollback(app: SimApp): void {
  if (!app.pinnedId) throw new SimHttpError(400, 'bad_request', 'app has no rollback to commit');
  app.pinnedId = undefined;
  app.preRollback = undefined;
}

export function revertRollback(sim: AppPlatformSim, app: SimApp): SimDeployment {
  const before = app.preRollback;
  if (!app.pinnedId || !before) throw new SimHttpError(400, 'bad_request', 'app has no rollback to revert');
  app.pinnedId = undefined;
  app.preRollback = undefined;
  app.spec = structuredClone(before.spec);
  // DO rebuilds from the pre-rollback spec; the sandbox reuses the commits that ran then.
  return sim.start(app, { cause: 'rollback reverted', spec: before.spec, commits: before.commits });
}
