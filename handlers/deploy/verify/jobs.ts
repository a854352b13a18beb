/**
 * The deployment's PRE_DEPLOY and POST_DEPLOY job invocations (migrations) as checklist
 * items. A job the deployment's spec names but DigitalOcean has no invocation of is a
 * failed item: "migrations applied" cannot be ticked on no evidence.
 */
import type { AppOpsClient, JobInvocation } from '../../../src/do/app-ops-port.js';
import type { Deployment } from '../../../src/do/port.js';
import type { ChecklistItem } from './types.js';

const KINDS = new Set(['PRE_DEPLOY', 'POST_DEPLOY']);

export function deploymentJobs(deployment: Deployment): { name: string; kind: string }[] {
  return (deployment.spec?.jobs ?? [])
    .map((j) => ({ name: j.name, kind: String(j.kind ?? '') }))
    .filter((j) => KINDS.has(j.kind));
}

/** Items for the jobs; pure over what DigitalOcean listed. */
export function jobItems(
  jobs: { name: string; kind: string }[],
  invocations: JobInvocation[],
  where: { app: string; env: string },
): ChecklistItem[] {
  return jobs.map((job) => {
    const newest = invocations
      .filter((i) => i.jobName === job.name)
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
    const label = `${job.kind} job ${job.name}`;
    const key = `job:${job.name}`;
    if (!newest) return { key, label, ok: false, detail: 'no invocation found for this deployment' };
    const ok = newest.phase === 'SUCCEEDED';
    const took =
      newest.startedAt && newest.completedAt
        ? ` in ${Math.max(0, Math.round((Date.parse(newest.completedAt) - Date.parse(newest.startedAt)) / 1000))} s`
        : '';
    return {
      key,
      label,
      ok,
      detail: ok ? `succeeded${took}` : newest.phase.toLowerCase(),
      ...(ok
        ? {}
        : {
            command: `/logs ${where.app} ${where.env} job --component ${job.name}${newest.deploymentId ? ` --deployment ${newest.deploymentId}` : ''}`,
          }),
    };
  });
}

export async function checkJobs(
  ops: AppOpsClient,
  target: { appId: string; app: string; env: string },
  deployment: Deployment,
): Promise<ChecklistItem[]> {
  const jobs = deploymentJobs(deployment);
  if (jobs.length === 0) return [];
  try {
    const invocations = await ops.listJobInvocations(target.appId, { deploymentId: deployment.id });
    return jobItems(
      jobs,
      invocations.filter((i) => !i.deploymentId || i.deploymentId === deployment.id),
      target,
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : 'unknown error';
    return jobs.map((j) => ({
      key: `job:${j.name}`,
      label: `${j.kind} job ${j.name}`,
      ok: false,
      detail: `could not read its invocations: ${why}`,
    }));
  }
}
