/** The simulator's state as DigitalOcean's JSON (snake_case, the fields DO sends). */
import type { ComponentSpec, DeploymentPhase } from '../../do/port.js';
import { gitSourceOf, type SimApp, type SimDatabase, type SimDeployment } from './types.js';

const STEPS = ['initialize', 'build', 'deploy', 'finalize'] as const;
/** Steps with one child per component, as DO nests them: build > components > web. */
const PER_COMPONENT: Partial<Record<(typeof STEPS)[number], string>> = {
  build: 'Building service',
  deploy: 'Deploying service',
};

/** Which step is running in each phase; later steps are pending, earlier ones done. */
const STEP_OF: Partial<Record<DeploymentPhase, number>> = {
  PENDING_BUILD: 0,
  BUILDING: 1,
  PENDING_DEPLOY: 2,
  DEPLOYING: 2,
};

/** The step statuses DO's description allows (apps_deployment_progress_step_status.yml). */
type StepStatus = 'UNKNOWN' | 'PENDING' | 'RUNNING' | 'ERROR' | 'SUCCESS';
type Reason = { code: string; message: string };
interface StepJson {
  name: string;
  status: StepStatus;
  reason?: Reason;
  component_name?: string;
  message_base?: string;
  steps?: StepJson[];
}

function statusAt(dep: SimDeployment, i: number, at: number): StepStatus {
  if (i < at) return 'SUCCESS';
  if (i > at) return 'PENDING';
  if (dep.phase === 'ERROR') return 'ERROR';
  // A canceled deployment's current step never finished; DO has no status for that.
  if (dep.phase === 'CANCELED') return 'UNKNOWN';
  if (dep.phase === 'PENDING_DEPLOY') return 'PENDING';
  return 'RUNNING';
}

function stepsOf(dep: SimDeployment): StepJson[] {
  const finished = dep.phase === 'ACTIVE' || dep.phase === 'SUPERSEDED';
  const at = finished ? STEPS.length : (STEP_OF[dep.stoppedIn ?? dep.phase] ?? 0);
  const components = [...(dep.spec.services ?? []), ...(dep.spec.workers ?? [])].map((c) => c.name);
  return STEPS.map((name, i) => {
    const status = statusAt(dep, i, at);
    const failed = status === 'ERROR' ? dep.failure : undefined;
    const base = PER_COMPONENT[name];
    const step: StepJson = { name, status, ...(failed ? { reason: failed.reason } : {}) };
    if (!base) return step;
    const children = components.map((component): StepJson => {
      // Only the failing component errs; the others were fine or never got their turn.
      const own: StepStatus =
        status === 'ERROR' ? (failed?.component === component ? 'ERROR' : 'UNKNOWN') : status;
      return {
        name: component,
        component_name: component,
        message_base: base,
        status: own,
        ...(own === 'ERROR' && failed ? { reason: failed.reason } : {}),
      };
    });
    return { ...step, steps: [{ name: 'components', status, steps: children }] };
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
    ...(dep.causeDetails ? { cause_details: dep.causeDetails } : {}),
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
