/** zod schemas for the answers of the endpoints in app-ops-extra.ts; lenient, as schema.ts. */
import { z } from 'zod';
import { JOB_INVOCATION_PHASES, type JobInvocation, type LogLinks, type Proposal } from './app-ops-port.js';

export const LogsResponse = z
  .looseObject({
    live_url: z.string().nullish(),
    historic_urls: z.array(z.string()).nullish(),
  })
  .transform(
    (l): LogLinks => ({
      ...(l.live_url ? { liveUrl: l.live_url } : {}),
      historicUrls: (l.historic_urls ?? []).filter((u) => u.length > 0),
    }),
  );

const JobInvocationSchema = z
  .looseObject({
    id: z.string(),
    job_name: z.string().nullish(),
    deployment_id: z.string().nullish(),
    phase: z.string().nullish(),
    trigger: z.looseObject({ type: z.string().nullish() }).nullish(),
    created_at: z.string().nullish(),
    started_at: z.string().nullish(),
    completed_at: z.string().nullish(),
  })
  .transform((j): JobInvocation => {
    const phase = (JOB_INVOCATION_PHASES as readonly string[]).includes(j.phase ?? '')
      ? (j.phase as JobInvocation['phase'])
      : 'UNKNOWN';
    return {
      id: j.id,
      jobName: j.job_name ?? '?',
      phase,
      trigger: j.trigger?.type ?? 'UNKNOWN',
      ...(j.deployment_id ? { deploymentId: j.deployment_id } : {}),
      ...(j.created_at ? { createdAt: j.created_at } : {}),
      ...(j.started_at ? { startedAt: j.started_at } : {}),
      ...(j.completed_at ? { completedAt: j.completed_at } : {}),
    };
  });

export const JobInvocationsResponse = z
  .looseObject({ job_invocations: z.array(JobInvocationSchema).nullish() })
  .transform((r) => r.job_invocations ?? []);

export const ProposeResponse = z
  .looseObject({ app_cost: z.number().nullish(), app_is_static: z.boolean().nullish() })
  .transform(
    (p): Proposal => ({
      ...(p.app_cost != null ? { appCost: p.app_cost } : {}),
      ...(p.app_is_static != null ? { appIsStatic: p.app_is_static } : {}),
    }),
  );
