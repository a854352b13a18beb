/**
 * zod schemas for the parts of DigitalOcean responses that dockside reads, and their
 * mapping to the camelCase types of port.ts. Lenient on purpose: DO adds fields and
 * omits empty ones, and unknown keys of the app spec are kept so a PUT of the spec
 * sends back everything DO returned. The app spec, a deployment and the database
 * answers have their own files: app-spec-schema.ts, deployment-schema.ts, database-schema.ts.
 */
import { z } from 'zod';
import { AppSpecSchema } from './app-spec-schema.js';
import { DeploymentSchema } from './deployment-schema.js';
import type { App, ComponentHealth, RollbackValidation } from './port.js';

export const AppSchema = z
  .looseObject({
    id: z.string(),
    spec: AppSpecSchema,
    live_url: z.string().nullish(),
    active_deployment: DeploymentSchema.nullish(),
    in_progress_deployment: DeploymentSchema.nullish(),
    pending_deployment: DeploymentSchema.nullish(),
    pinned_deployment: DeploymentSchema.nullish(),
    last_deployment_created_at: z.string().nullish(),
  })
  .transform(
    (a): App => ({
      id: a.id,
      name: a.spec.name,
      spec: a.spec,
      ...(a.live_url ? { liveUrl: a.live_url } : {}),
      ...(a.active_deployment ? { activeDeployment: a.active_deployment } : {}),
      ...(a.in_progress_deployment ? { inProgressDeployment: a.in_progress_deployment } : {}),
      ...(a.pending_deployment ? { pendingDeployment: a.pending_deployment } : {}),
      ...(a.pinned_deployment ? { pinnedDeployment: a.pinned_deployment } : {}),
      ...(a.last_deployment_created_at ? { lastDeploymentCreatedAt: a.last_deployment_created_at } : {}),
    }),
  );

export const AppResponse = z.object({ app: AppSchema });
export const DeploymentResponse = z.object({ deployment: DeploymentSchema });
/** `GET /v2/apps` (apps_list): one page of apps, each with its active/in-progress/pending deployment. */
export const AppsResponse = z.object({
  apps: z.array(AppSchema).nullish(),
  links: z.looseObject({ pages: z.looseObject({ next: z.string().nullish() }).nullish() }).nullish(),
});
export const DeploymentsResponse = z.object({ deployments: z.array(DeploymentSchema).nullish() });

const Condition = z.looseObject({
  code: z.string().nullish(),
  message: z.string().nullish(),
  components: z.array(z.string()).nullish(),
});
const condition = (c: z.infer<typeof Condition>) => ({
  code: c.code ?? 'unknown',
  message: c.message ?? '',
  ...(c.components?.length ? { components: c.components } : {}),
});

export const RollbackValidationResponse = z
  .looseObject({ valid: z.boolean(), error: Condition.nullish(), warnings: z.array(Condition).nullish() })
  .transform(
    (v): RollbackValidation => ({
      valid: v.valid,
      ...(v.error ? { error: condition(v.error) } : {}),
      warnings: (v.warnings ?? []).map(condition),
    }),
  );

const HealthState = z.enum(['HEALTHY', 'UNHEALTHY', 'UNKNOWN']).catch('UNKNOWN');
const optionalNumber = z.number().nullish();
export const AppHealthResponse = z
  .looseObject({
    app_health: z.looseObject({
      components: z
        .array(
          z.looseObject({
            name: z.string(),
            state: HealthState.optional(),
            replicas_desired: optionalNumber,
            replicas_ready: optionalNumber,
            cpu_usage_percent: optionalNumber,
            memory_usage_percent: optionalNumber,
          }),
        )
        .nullish(),
    }),
  })
  .transform((h): ComponentHealth[] =>
    (h.app_health.components ?? []).map((c) => {
      const out: ComponentHealth = { name: c.name, state: c.state ?? 'UNKNOWN' };
      if (c.replicas_desired != null) out.replicasDesired = c.replicas_desired;
      if (c.replicas_ready != null) out.replicasReady = c.replicas_ready;
      if (c.cpu_usage_percent != null) out.cpuUsagePercent = c.cpu_usage_percent;
      if (c.memory_usage_percent != null) out.memoryUsagePercent = c.memory_usage_percent;
      return out;
    }),
  );

/** For calls whose body dockside ignores (rollback/commit answers `{}` or nothing). */
export const AnyBody = z.unknown();
