/** The simulator's state as DigitalOcean's JSON (snake_case, the fields DO sends). */
import type { ComponentSpec, DeploymentPhase } from '../../do/port.js';
import { gitSourceOf, type SimApp, type SimDatabase, type SimDeployment } from './types.js';

const STEPS = ['initialize', 'build', 'deploy', 'finalize'] as const;

/** Which step is running in each phase; later steps are pending, earlier ones done. */
const STEP_OF: Partial<Record<DeploymentPhase, number>> = {
  PENDING_BUILD: 0,
  BUILDING: 1,
  PENDING_DEPLOY: 2,
  DEPLOYING: 2,
};

function stepsOf(dep: SimDeployment) {
  const finished = dep.phase === 'ACTIVE' || dep.phase === 'SUPERSEDED';
  const at = finished ? STEPS.length : (STEP_OF[dep.stoppedIn ?? dep.phase] ?? 0);
  return STEPS.map((name, i) => {
    if (i < at) return { name, status: 'SUCCESS' };
    if (i > at) return { name, status: 'PENDING' };
    if (dep.phase === 'ERROR' && dep.failure) {
      const { component, reason } = dep.failure;
      // DO puts the reason on the failing component's sub-step as well as on the step.
      return { name, status: 'ERROR', reason, steps: [{ name: component, status: 'ERROR', reason }] };
    }
    if (dep.phase === 'CANCELED') return { name, status: 'CANCELLED' };
    if (dep.phase === 'PENDING_DEPLOY') return { name, status: 'PENDING' };
    return { name, status: 'RUNNING' };
  });
}

function refs(list: ComponentSpec[] | undefined, dep: SimDeployment) {
  return (list ?? []).map((c) => {
    const sha = dep.commits[c.name];
    return gitSourceOf(c) && sha ? { name: c.name, source_commit_hash: sha } : { name: c.name };
  });
}

export function deploymentJson(dep: SimDeployment) {
  const steps = stepsOf(dep);
  const count = (status: string) => steps.filter((s) => s.status === status).length;
  return {
    id: dep.id,
    cause: dep.cause,
    phase: dep.phase,
    created_at: dep.createdAt,
    updated_at: dep.updatedAt,
    phase_last_updated_at: dep.updatedAt,
    tier_slug: 'basic',
    ...(dep.clonedFrom ? { cloned_from: dep.clonedFrom } : {}),
    progress: {
      pending_steps: count('PENDING'),
      running_steps: count('RUNNING'),
      success_steps: count('SUCCESS'),
      error_steps: count('ERROR'),
      total_steps: steps.length,
      steps,
    },
    services: refs(dep.spec.services, dep),
    workers: refs(dep.spec.workers, dep),
    jobs: refs(dep.spec.jobs, dep),
    static_sites: refs(dep.spec.static_sites, dep),
    spec: dep.spec,
  };
}

export function appJson(app: SimApp) {
  const find = (id: string | undefined) => {
    const dep = id ? app.deployments.find((d) => d.id === id) : undefined;
    return dep ? deploymentJson(dep) : undefined;
  };
  const live = `https://${app.spec.name}-sim.ondigitalocean.app`;
  return {
    id: app.id,
    owner_uuid: '00000000-0000-4000-8000-000000000000',
    spec: app.spec,
    default_ingress: live,
    live_url: live,
    live_url_base: live,
    live_domain: live.replace('https://', ''),
    created_at: app.createdAt,
    updated_at: app.deployments[0]?.updatedAt ?? app.createdAt,
    last_deployment_created_at: app.deployments[0]?.createdAt ?? app.createdAt,
    region: { slug: 'fra', label: 'Frankfurt' },
    tier_slug: 'basic',
    active_deployment: find(app.activeId),
    in_progress_deployment: find(app.inProgressId),
    pending_deployment: find(app.pendingId),
    pinned_deployment: find(app.pinnedId),
  };
}

export function databaseJson(db: SimDatabase) {
  return {
    id: db.id,
    name: db.name,
    engine: db.engine,
    version: db.version,
    region: db.region,
    size: db.size,
    num_nodes: db.num_nodes,
    status: db.status,
    created_at: db.created_at,
    tags: [],
    ...(db.private_network_uuid ? { private_network_uuid: db.private_network_uuid } : {}),
    ...(db.project_id ? { project_id: db.project_id } : {}),
  };
}
