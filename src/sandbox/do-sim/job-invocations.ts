/** The PRE_DEPLOY and POST_DEPLOY job invocations of a simulated app, one per job and deployment. */
import { createHash } from 'node:crypto';
import { reached } from './log-text.js';
import type { SimApp, SimDeployment } from './types.js';

function invocationId(dep: SimDeployment, job: string): string {
  const h = createHash('sha256').update(`${dep.id}/${job}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function invocationPhase(dep: SimDeployment, job: string): string {
  if (dep.phase === 'ACTIVE' || dep.phase === 'SUPERSEDED')
    return dep.failedJobs?.includes(job) ? 'FAILED' : 'SUCCEEDED';
  if (dep.phase === 'CANCELED') return 'CANCELED';
  if (dep.phase === 'ERROR') {
    if (dep.failure?.component === job && reached(dep, 'DEPLOYING')) return 'FAILED';
    return reached(dep, 'DEPLOYING') ? 'SUCCEEDED' : 'SKIPPED';
  }
  return dep.phase === 'DEPLOYING' ? 'RUNNING' : 'PENDING';
}

/** PRE_DEPLOY and POST_DEPLOY jobs run once per deployment (OpenAPI `app_job_invocation`). */
export function jobInvocations(app: SimApp, query?: URLSearchParams) {
  const deploymentId = query?.get('deployment_id');
  const names = query?.getAll('job_names') ?? [];
  return app.deployments
    .filter((d) => !deploymentId || d.id === deploymentId)
    .flatMap((dep) =>
      (dep.spec.jobs ?? [])
        .filter((j) => j.kind === 'PRE_DEPLOY' || j.kind === 'POST_DEPLOY')
        .filter((j) => names.length === 0 || names.includes(j.name))
        .map((j) => ({
          id: invocationId(dep, j.name),
          job_name: j.name,
          deployment_id: dep.id,
          phase: invocationPhase(dep, j.name),
          trigger: { type: 'UNKNOWN' },
          created_at: dep.createdAt,
          ...(reached(dep, 'DEPLOYING') ? { started_at: dep.createdAt } : {}),
          ...(dep.phase === 'ACTIVE' || dep.phase === 'SUPERSEDED' || dep.phase === 'ERROR'
            ? { completed_at: dep.updatedAt }
            : {}),
        })),
    );
}
