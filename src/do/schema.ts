/**
 * zod schemas for the parts of DigitalOcean responses that dockside reads, and their
 * mapping to the camelCase types of port.ts. Lenient on purpose: DO adds fields and
 * omits empty ones, and unknown keys of the app spec are kept so a PUT of the spec
 * sends back everything DO returned.
 */
import { z } from 'zod';
import {
  type App,
  type CauseDetails,
  type ComponentHealth,
  type DatabaseCluster,
  DEPLOYMENT_PHASES,
  type Deployment,
  type DeploymentComponent,
  type DeploymentPhase,
  type DeploymentStep,
  type ManagedBackup,
  type RollbackValidation,
} from './port.js';

// The App spec requires none of these (an image may be named by registry and repository,
// or DO may add new source kinds); dockside reads what is there and sends the rest back.
const ImageSource = z.looseObject({
  registry_type: z.string().optional(),
  registry: z.string().optional(),
  repository: z.string().optional(),
  tag: z.string().optional(),
  digest: z.string().optional(),
  deploy_on_push: z.looseObject({ enabled: z.boolean().optional() }).optional(),
});

const GitSource = z.looseObject({
  repo_clone_url: z.string().optional(),
  repo: z.string().optional(),
  branch: z.string().optional(),
  deploy_on_push: z.boolean().optional(),
});

const ComponentSpec = z.looseObject({
  name: z.string(),
  image: ImageSource.optional(),
  github: GitSource.optional(),
  gitlab: GitSource.optional(),
  bitbucket: GitSource.optional(),
  git: GitSource.optional(),
});

export const AppSpecSchema = z.looseObject({
  name: z.string(),
  services: z.array(ComponentSpec).optional(),
  workers: z.array(ComponentSpec).optional(),
  jobs: z.array(ComponentSpec).optional(),
  static_sites: z.array(ComponentSpec).optional(),
});

const StepReason = z.looseObject({ code: z.string().optional(), message: z.string().optional() });
const Step = z.looseObject({
  name: z.string().optional(),
  status: z.string().optional(),
  reason: StepReason.nullish(),
  steps: z.array(z.unknown()).nullish(),
});

/** DO nests steps (build > components > web); the port wants one list, failing step included. */
function flattenSteps(items: unknown[], prefix: string, out: DeploymentStep[], depth = 0): DeploymentStep[] {
  for (const item of items) {
    const step = Step.parse(item);
    const name = prefix ? `${prefix} / ${step.name ?? '?'}` : (step.name ?? '?');
    const reason = step.reason?.code || step.reason?.message ? { ...step.reason } : undefined;
    out.push({ name, status: step.status ?? 'UNKNOWN', ...(reason ? { reason } : {}) });
    if (step.steps && depth < 4) flattenSteps(step.steps, name, out, depth + 1);
  }
  return out;
}

const text = z.string().nullish();
const GitPushSource = z.looseObject({ repo: text, branch: text }).nullish();
/** `cause_details` (see CauseDetails in port.ts): read leniently, every part optional. */
const CauseDetailsSchema = z
  .looseObject({
    type: text,
    digitalocean_user_action: z
      .looseObject({
        name: text,
        user: z.looseObject({ email: text, full_name: text }).nullish(),
      })
      .nullish(),
    git_push: z
      .looseObject({
        github: GitPushSource,
        gitlab: GitPushSource,
        bitbucket: GitPushSource,
        username: text,
        commit_author: text,
        commit_sha: text,
        commit_message: text,
      })
      .nullish(),
    docr_push: z.looseObject({ registry: text, repository: text, tag: text, image_digest: text }).nullish(),
    internal: z.boolean().nullish(),
    autoscaler: z.looseObject({ autoscaled: z.boolean().nullish() }).nullish(),
  })
  .transform((c): CauseDetails => {
    const defined = <T extends object>(o: T): T =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
    const out: CauseDetails = {};
    if (c.type) out.type = c.type;
    const action = c.digitalocean_user_action;
    if (action) {
      const user = action.user
        ? defined({ email: action.user.email ?? undefined, fullName: action.user.full_name ?? undefined })
        : undefined;
      out.digitaloceanUserAction = defined({ name: action.name ?? undefined, user });
    }
    const push = c.git_push;
    if (push) {
      const source = push.github ?? push.gitlab ?? push.bitbucket;
      out.gitPush = defined({
        repo: source?.repo ?? undefined,
        branch: source?.branch ?? undefined,
        username: push.username ?? undefined,
        commitAuthor: push.commit_author ?? undefined,
        commitSha: push.commit_sha ?? undefined,
        commitMessage: push.commit_message ?? undefined,
      });
    }
    const docr = c.docr_push;
    if (docr) {
      out.docrPush = defined({
        registry: docr.registry ?? undefined,
        repository: docr.repository ?? undefined,
        tag: docr.tag ?? undefined,
        imageDigest: docr.image_digest ?? undefined,
      });
    }
    if (c.internal) out.internal = true;
    if (c.autoscaler?.autoscaled) out.autoscaled = true;
    return out;
  });

const ComponentRef = z.looseObject({ name: z.string(), source_commit_hash: z.string().nullish() });
const count = z
  .number()
  .nullish()
  .transform((n) => n ?? 0);

export const DeploymentSchema = z
  .looseObject({
    id: z.string(),
    phase: z.string().nullish(),
    cause: z.string().nullish(),
    cause_details: CauseDetailsSchema.nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    progress: z
      .looseObject({
        success_steps: count,
        total_steps: count,
        error_steps: count,
        steps: z.array(z.unknown()).nullish(),
      })
      .nullish(),
    services: z.array(ComponentRef).nullish(),
    workers: z.array(ComponentRef).nullish(),
    jobs: z.array(ComponentRef).nullish(),
    static_sites: z.array(ComponentRef).nullish(),
    functions: z.array(ComponentRef).nullish(),
    spec: AppSpecSchema.nullish(),
  })
  .transform((d): Deployment => {
    const refs = [d.services, d.workers, d.jobs, d.static_sites, d.functions].flatMap((list) => list ?? []);
    const components: DeploymentComponent[] = refs.map((c) =>
      c.source_commit_hash ? { name: c.name, sourceCommitHash: c.source_commit_hash } : { name: c.name },
    );
    const phase = (DEPLOYMENT_PHASES as readonly string[]).includes(d.phase ?? '')
      ? (d.phase as DeploymentPhase)
      : 'UNKNOWN';
    return {
      id: d.id,
      phase,
      cause: d.cause ?? '',
      createdAt: d.created_at ?? '',
      updatedAt: d.updated_at ?? d.created_at ?? '',
      progress: {
        successSteps: d.progress?.success_steps ?? 0,
        totalSteps: d.progress?.total_steps ?? 0,
        errorSteps: d.progress?.error_steps ?? 0,
        steps: flattenSteps(d.progress?.steps ?? [], '', []),
      },
      components,
      ...(d.spec ? { spec: d.spec } : {}),
      ...(d.cause_details ? { causeDetails: d.cause_details } : {}),
    };
  });

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

const DatabaseClusterSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    engine: z.string(),
    version: z.string().nullish(),
    region: z.string(),
    size: z.string(),
    num_nodes: z.number(),
    storage_size_mib: z.number().nullish(),
    status: z.string().nullish(),
    private_network_uuid: z.string().nullish(),
    project_id: z.string().nullish(),
  })
  .transform(
    (c): DatabaseCluster => ({
      id: c.id,
      name: c.name,
      engine: c.engine,
      version: c.version ?? '',
      region: c.region,
      size: c.size,
      numNodes: c.num_nodes,
      ...(c.storage_size_mib ? { storageSizeMib: c.storage_size_mib } : {}),
      status: c.status ?? 'unknown',
      ...(c.private_network_uuid ? { privateNetworkUuid: c.private_network_uuid } : {}),
      ...(c.project_id ? { projectId: c.project_id } : {}),
    }),
  );

export const DatabaseResponse = z.object({ database: DatabaseClusterSchema });

export const BackupsResponse = z
  .looseObject({
    backups: z
      .array(z.looseObject({ created_at: z.string(), size_gigabytes: z.number().nullish() }))
      .nullish(),
  })
  .transform((b): ManagedBackup[] =>
    (b.backups ?? []).map((x) => ({ createdAt: x.created_at, sizeGigabytes: x.size_gigabytes ?? 0 })),
  );

/** For calls whose body dockside ignores (rollback/commit answers `{}` or nothing). */
export const AnyBody = z.unknown();
