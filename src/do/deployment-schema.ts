/**
 * zod schema of a DigitalOcean App Platform deployment (its steps and cause_details
 * included) and its mapping to port.ts's Deployment; lenient, as schema.ts.
 */
import { z } from 'zod';
import { AppSpecSchema } from './app-spec-schema.js';
import {
  type CauseDetails,
  DEPLOYMENT_PHASES,
  type Deployment,
  type DeploymentComponent,
  type DeploymentPhase,
  type DeploymentStep,
} from './port.js';

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
