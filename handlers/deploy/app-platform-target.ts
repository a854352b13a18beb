import type { Deployment, DeploymentPhase, DoClient } from '../../src/do/port.js';
import { escapeText } from '../../src/render/format.js';
import { withTimeout } from '../health/limits.js';
import { type ComponentRun, componentRuns, shortDigest, shortSha } from '../promote/components.js';
import type {
  PlanDescription,
  PlanKind,
  PlatformHealth,
  Release,
  ReleaseOutcome,
  ReleasePlan,
  ReleaseRecord,
  ServiceChange,
  ServiceImage,
  TargetHealth,
  TargetReads,
} from './target.js';

export interface AppPlatformTargetDeps {
  do: DoClient;
  /** Bound of one DigitalOcean call made for health (a person waits for /health). */
  healthTimeoutMs?: number;
}

/**
 * What a deployment runs, as a release: per component the image digest, or for a
 * component built from git the commit DigitalOcean built (see ServiceImage). A
 * component whose exact source DO did not report carries an empty digest, so two
 * releases never look equal on what nobody knows.
 */
export function releaseOfDeployment(deployment: Deployment): Release {
  const services = componentRuns(deployment, deployment.spec).map((run) => serviceOf(run));
  return { id: deployment.id, services };
}

function serviceOf(run: ComponentRun): ServiceImage {
  if (run.kind === 'image') {
    return {
      service: run.name,
      image: run.image,
      digest: run.digest ?? '',
      ...(run.tag ? { tag: run.tag } : {}),
      source: 'image',
    };
  }
  if (run.kind === 'git') {
    const repo = run.source.repo ?? run.source.repo_clone_url ?? run.provider;
    return {
      service: run.name,
      image: repo,
      digest: run.commit ?? '',
      ...(run.source.branch ? { tag: run.source.branch } : {}),
      source: 'git',
    };
  }
  return { service: run.name, image: 'unknown source', digest: '' };
}

const OUTCOME: Partial<Record<DeploymentPhase, ReleaseOutcome>> = {
  ACTIVE: 'succeeded',
  SUPERSEDED: 'succeeded',
  ERROR: 'failed',
  CANCELED: 'failed',
};

function recordOf(deployment: Deployment): ReleaseRecord {
  const outcome = OUTCOME[deployment.phase] ?? 'started';
  return {
    ...releaseOfDeployment(deployment),
    kind: /rollback/i.test(deployment.cause) ? 'rollback' : 'deploy',
    // DigitalOcean records why, not which Slack user: dockside's audit log has who asked.
    by: '',
    at: deployment.createdAt,
    outcome,
    ...(outcome === 'failed' ? { failure: { reason: `${deployment.phase}: ${deployment.cause}` } } : {}),
    ...(outcome !== 'started' ? { finishedAt: deployment.updatedAt } : {}),
  };
}

/** `commit 9a4df0b` or `sha256:0123…`, as a card line shows what a component runs. */
export function describeService(s: Pick<ServiceImage, 'digest' | 'tag' | 'source'>): string {
  if (!s.digest) return s.tag ? `${s.source === 'git' ? 'branch' : 'tag'} ${s.tag}` : 'unknown';
  return s.source === 'git' ? `commit ${shortSha(s.digest)}` : shortDigest(s.digest);
}

export function changesBetween(current: Release | undefined, release: Release): ServiceChange[] {
  return release.services.map((to) => {
    const from = current?.services.find((s) => s.service === to.service);
    return {
      service: to.service,
      image: to.image,
      ...(to.source ? { source: to.source } : {}),
      ...(from?.digest ? { from: { digest: from.digest, ...(from.tag ? { tag: from.tag } : {}) } } : {}),
      to: { digest: to.digest, ...(to.tag ? { tag: to.tag } : {}) },
    };
  });
}

const ACTION: Record<PlanKind, string> = { deploy: 'Deploy', rollback: 'Roll back', promote: 'Promote to' };

/** The approval card's words for a plan of either kind of target. Hostile text escaped. */
export function describeReleasePlan(plan: ReleasePlan): PlanDescription {
  const lines = plan.changes.map((c) => {
    const source = c.source ? { source: c.source } : {};
    const to = describeService({ digest: c.to.digest, ...(c.to.tag ? { tag: c.to.tag } : {}), ...source });
    if (!c.from) return `${escapeText(c.service)}: ${escapeText(to)} (new)`;
    if (c.from.digest === c.to.digest) return `${escapeText(c.service)}: ${escapeText(to)} (unchanged)`;
    const from = describeService({
      digest: c.from.digest,
      ...(c.from.tag ? { tag: c.from.tag } : {}),
      ...source,
    });
    return `${escapeText(c.service)}: ${escapeText(from)} → ${escapeText(to)}`;
  });
  return { title: `${ACTION[plan.kind]} ${escapeText(plan.app)} ${escapeText(plan.env)}`, lines };
}

/**
 * What an App Platform app answers as a deploy target without changing anything: what
 * it runs, its deployments as a release log, its health, a plan for the card. What a
 * person asks of it is in app-platform-actions.ts.
 */
export function createAppPlatformTarget(
  deps: AppPlatformTargetDeps,
  target: { app: string; env: string; appId: string },
): TargetReads {
  const { app, env, appId } = target;

  async function currentRelease(): Promise<Release | undefined> {
    const active = (await deps.do.getApp(appId)).activeDeployment;
    return active ? releaseOfDeployment(active) : undefined;
  }

  async function planRelease(release: Release, kind: PlanKind): Promise<ReleasePlan> {
    const current = await currentRelease();
    const changes = changesBetween(current, release);
    const binding: Record<string, string> = { current: current?.id ?? 'none', release: release.id };
    for (const s of release.services) binding[`service:${s.service}`] = s.digest;
    return { app, env, kind, release, ...(current ? { current } : {}), changes, binding };
  }

  async function health(options: { timeoutMs?: number } = {}): Promise<TargetHealth> {
    const timeout = options.timeoutMs ?? deps.healthTimeoutMs ?? 15_000;
    const platform: PlatformHealth = {};
    await Promise.all([
      withTimeout(deps.do.getApp(appId), timeout, 'DigitalOcean').then(
        (a) => {
          platform.app = a;
        },
        (err: Error) => {
          platform.appError = `DO: ${err.message}`;
        },
      ),
      withTimeout(deps.do.getAppHealth(appId), timeout, 'DigitalOcean').then(
        (components) => {
          platform.components = components;
        },
        (err: Error) => {
          platform.componentsError = `DO: ${err.message}`;
        },
      ),
    ]);
    return { state: platformState(platform), hosts: [], platform };
  }

  return {
    kind: 'app_platform',
    app,
    env,
    currentRelease,
    planRelease,
    async releases(limit = 10) {
      return (await deps.do.listDeployments(appId, { perPage: limit })).slice(0, limit).map(recordOf);
    },
    health,
    describe: describeReleasePlan,
  };
}

/** bad when the active deployment is not ACTIVE or a component is unhealthy or short of replicas. */
export function platformState(p: PlatformHealth): TargetHealth['state'] {
  const active = p.app?.activeDeployment;
  const unhealthy = (p.components ?? []).some(
    (c) => c.state === 'UNHEALTHY' || (c.replicasReady ?? 1) < (c.replicasDesired ?? 0),
  );
  if ((p.app && active?.phase !== 'ACTIVE') || unhealthy) return 'bad';
  if (p.app) return 'good';
  return 'unknown';
}
