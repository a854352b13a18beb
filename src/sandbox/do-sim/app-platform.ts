import { randomBytes, randomUUID } from 'node:crypto';
import type { AppSpec, DeploymentPhase } from '../../do/port.js';
import {
  componentsOf,
  gitSourceOf,
  type NextOutcome,
  type SimApp,
  type SimCauseDetails,
  type SimDeployment,
  type SimHealth,
  SimHttpError,
} from './types.js';

const NEXT: Partial<Record<DeploymentPhase, DeploymentPhase>> = {
  PENDING_BUILD: 'BUILDING',
  BUILDING: 'PENDING_DEPLOY',
  PENDING_DEPLOY: 'DEPLOYING',
  DEPLOYING: 'ACTIVE',
};

export const newSha = (): string => randomBytes(20).toString('hex');

/** One commit of a simulated repository: enough for GitHub's compare and fast-forward checks. */
export interface SimCommit {
  sha: string;
  /** Empty for a root commit. */
  parents: string[];
  message: string;
  /** ISO time. */
  date: string;
}

function defaultReason(phase: DeploymentPhase, component: string): { code: string; message: string } {
  return phase === 'DEPLOYING' || phase === 'PENDING_DEPLOY'
    ? {
        code: 'DeployHealthCheckFailed',
        message: `component ${component} failed its health check on /health`,
      }
    : {
        code: 'BuildJobExitNonZero',
        message: `build of component ${component} failed: npm run build exited with code 1`,
      };
}

/** App Platform's deployment life cycle, rollback and pinning, driven by timers. */
export class AppPlatformSim {
  readonly apps = new Map<string, SimApp>();
  /** `repo#branch` -> head commit: the simulated git hosts. */
  readonly heads = new Map<string, string>();
  /** repo -> sha -> commit: each repository's history (a push appends a child of the old head). */
  readonly commits = new Map<string, Map<string, SimCommit>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly earlyAnswers = new Map<string, { delayMs: number; interleave: boolean }>();
  /** Told whenever a deployment goes ACTIVE (the log simulator prints runtime lines then). */
  readonly onActive = new Set<(app: SimApp, dep: SimDeployment) => void>();

  constructor(
    private readonly phaseDelayMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  app(appId: string): SimApp {
    const app = this.apps.get(appId);
    if (!app) throw new SimHttpError(404, 'not_found', 'The resource you were accessing could not be found.');
    return app;
  }

  deployment(app: SimApp, deploymentId: string): SimDeployment {
    const dep = app.deployments.find((d) => d.id === deploymentId);
    if (!dep) throw new SimHttpError(404, 'not_found', 'The resource you were accessing could not be found.');
    return dep;
  }

  addApp(spec: AppSpec, id: string = randomUUID()): SimApp {
    const app: SimApp = {
      id,
      spec: structuredClone(spec),
      createdAt: this.now().toISOString(),
      deployments: [],
      health: new Map(),
    };
    this.apps.set(id, app);
    return app;
  }

  head(repo: string, branch: string): string {
    const key = `${repo}#${branch}`;
    let sha = this.heads.get(key);
    if (!sha) {
      sha = newSha();
      this.heads.set(key, sha);
      this.recordCommit(repo, { sha, parents: [], message: `Initial commit on ${branch}` });
    }
    return sha;
  }

  /** Adds a commit to a repository's history (no-op when the sha is already known). */
  recordCommit(repo: string, commit: Omit<SimCommit, 'date' | 'message'> & Partial<SimCommit>): SimCommit {
    let history = this.commits.get(repo);
    if (!history) {
      history = new Map();
      this.commits.set(repo, history);
    }
    const known = history.get(commit.sha);
    if (known) return known;
    const full: SimCommit = {
      message: `Commit ${commit.sha.slice(0, 7)}`,
      date: this.now().toISOString(),
      ...commit,
    };
    history.set(full.sha, full);
    return full;
  }

  /** A commit of `repo`; a branch head set without history (old seeds) counts as a root commit. */
  commit(repo: string, sha: string): SimCommit | undefined {
    const known = this.commits.get(repo)?.get(sha);
    if (known) return known;
    for (const [key, head] of this.heads) {
      if (head === sha && key.startsWith(`${repo}#`)) return this.recordCommit(repo, { sha, parents: [] });
    }
    return undefined;
  }

  /** The commits a new deployment of `spec` builds: every git component at its branch head. */
  headCommits(spec: AppSpec): Record<string, string> {
    const commits: Record<string, string> = {};
    for (const c of componentsOf(spec)) {
      const git = gitSourceOf(c);
      if (git) commits[c.name] = this.head(git.repo, git.branch);
    }
    return commits;
  }

  /** A finished deployment in the app's history, without timers (seed data). */
  recordDeployment(
    app: SimApp,
    init: Partial<SimDeployment> & { phase: DeploymentPhase; createdAt: string },
  ) {
    const dep: SimDeployment = {
      id: randomUUID(),
      appId: app.id,
      cause: 'manual',
      updatedAt: init.createdAt,
      spec: structuredClone(app.spec),
      commits: this.headCommits(app.spec),
      ...init,
    };
    app.deployments.unshift(dep);
    if (dep.phase === 'ACTIVE') {
      const previous = app.activeId ? app.deployments.find((d) => d.id === app.activeId) : undefined;
      if (previous) previous.phase = 'SUPERSEDED';
      app.activeId = dep.id;
    }
    return dep;
  }

  /** Every new deployment passes here: DO refuses them all while a rollback pins the app. */
  deploy(
    app: SimApp,
    init: { cause: string; causeDetails?: SimCauseDetails; spec?: AppSpec; commits?: Record<string, string> },
  ): SimDeployment {
    if (app.pinnedId) {
      throw new SimHttpError(
        409,
        'conflict',
        `app is pinned to rollback deployment ${app.pinnedId}; commit or revert the rollback before deploying`,
      );
    }
    return this.start(app, init);
  }

  /** Starts (or queues) a deployment without the pin check: rollbacks and reverts use it. */
  start(
    app: SimApp,
    init: {
      cause: string;
      causeDetails?: SimCauseDetails;
      spec?: AppSpec;
      commits?: Record<string, string>;
      clonedFrom?: string;
    },
  ): SimDeployment {
    const spec = structuredClone(init.spec ?? app.spec);
    const at = this.now().toISOString();
    const dep: SimDeployment = {
      id: randomUUID(),
      appId: app.id,
      phase: 'PENDING_BUILD',
      cause: init.cause,
      ...(init.causeDetails ? { causeDetails: init.causeDetails } : {}),
      createdAt: at,
      updatedAt: at,
      spec,
      commits: init.commits ?? this.headCommits(spec),
      ...(init.clonedFrom ? { clonedFrom: init.clonedFrom } : {}),
      ...(app.nextOutcome ? { outcome: app.nextOutcome } : {}),
      ...(app.nextFailedJobs ? { failedJobs: app.nextFailedJobs } : {}),
    };
    app.nextOutcome = undefined;
    app.nextFailedJobs = undefined;
    app.deployments.unshift(dep);
    if (app.inProgressId) {
      // One deployment waits behind the running one; a newer request replaces it.
      const queued = app.pendingId ? app.deployments.find((d) => d.id === app.pendingId) : undefined;
      if (queued) this.finish(app, queued, 'CANCELED');
      app.pendingId = dep.id;
    } else {
      this.run(app, dep);
    }
    return dep;
  }

  private run(app: SimApp, dep: SimDeployment): void {
    app.inProgressId = dep.id;
    this.enter(app, dep, 'PENDING_BUILD');
  }

  private enter(app: SimApp, dep: SimDeployment, phase: DeploymentPhase): void {
    dep.phase = phase;
    dep.updatedAt = this.now().toISOString();
    const next = NEXT[phase];
    if (!next) {
      this.finish(app, dep, phase);
      return;
    }
    this.later(() => {
      if (dep.phase !== phase) return; // canceled meanwhile
      const outcome = dep.outcome;
      if (outcome && (outcome.phase ?? 'BUILDING') === phase) {
        dep.stoppedIn = phase;
        if (outcome.kind === 'error') {
          const component = outcome.component ?? componentsOf(dep.spec)[0]?.name ?? 'app';
          dep.failure = { component, reason: outcome.reason ?? defaultReason(phase, component) };
          if (outcome.cause) dep.cause = outcome.cause;
        }
        this.finish(app, dep, outcome.kind === 'error' ? 'ERROR' : 'CANCELED');
        return;
      }
      this.enter(app, dep, next);
    });
  }

  private finish(app: SimApp, dep: SimDeployment, phase: DeploymentPhase): void {
    if (phase !== 'ACTIVE' && !dep.stoppedIn) dep.stoppedIn = dep.phase;
    dep.phase = phase;
    dep.updatedAt = this.now().toISOString();
    if (phase === 'ACTIVE') {
      const previous = app.activeId ? app.deployments.find((d) => d.id === app.activeId) : undefined;
      if (previous && previous !== dep) previous.phase = 'SUPERSEDED';
      app.activeId = dep.id;
      for (const h of app.health.values())
        Object.assign(h, { state: 'HEALTHY', replicas_ready: h.replicas_desired });
      for (const listener of this.onActive) listener(app, dep);
    }
    if (app.pendingId === dep.id) app.pendingId = undefined;
    if (app.inProgressId === dep.id) {
      app.inProgressId = undefined;
      const queued = app.pendingId ? app.deployments.find((d) => d.id === app.pendingId) : undefined;
      app.pendingId = undefined;
      if (queued) this.run(app, queued);
    }
  }

  cancel(app: SimApp, deploymentId: string): SimDeployment {
    const dep = this.deployment(app, deploymentId);
    if (dep.id !== app.inProgressId && dep.id !== app.pendingId) {
      throw new SimHttpError(
        400,
        'bad_request',
        `deployment ${dep.id} is ${dep.phase} and can no longer be canceled`,
      );
    }
    this.finish(app, dep, 'CANCELED');
    return dep;
  }

  failNext(app: SimApp, outcome: NextOutcome): void {
    app.nextOutcome = outcome;
  }

  /**
   * The next deployment's job `name` fails. As on App Platform, a failed PRE_DEPLOY job
   * fails the deployment (in DEPLOYING, before any new code serves); a failed POST_DEPLOY
   * job leaves it ACTIVE with a FAILED invocation.
   */
  failNextJob(app: SimApp, name: string): void {
    const job = (app.spec.jobs ?? []).find((j) => j.name === name);
    if (!job) throw new SimHttpError(404, 'not_found', `job ${name} not found`);
    if (job.kind === 'PRE_DEPLOY') {
      app.nextOutcome = {
        kind: 'error',
        phase: 'DEPLOYING',
        component: name,
        reason: { code: 'PreDeployJobFailed', message: `pre-deploy job ${name} failed: exited with code 1` },
      };
      return;
    }
    app.nextFailedJobs = [...(app.nextFailedJobs ?? []), name];
  }

  /**
   * A push to a branch deploys every unpinned app that tracks it with deploy_on_push.
   * A new sha becomes a commit whose parent is the branch's previous head; a known one
   * (`git push origin <sha>:<branch>`, a fast-forward through GitHub's API) just moves the branch.
   */
  push(repo: string, branch: string, sha: string = newSha(), message?: string): string {
    const key = `${repo}#${branch}`;
    const previous = this.heads.get(key);
    if (!this.commit(repo, sha)) {
      const parents = previous && this.commit(repo, previous) ? [previous] : [];
      this.recordCommit(repo, { sha, parents, ...(message ? { message } : {}) });
    }
    this.heads.set(key, sha);
    for (const app of this.apps.values()) {
      const tracks = componentsOf(app.spec).some((c) => {
        const git = gitSourceOf(c);
        const onPush = c.github?.deploy_on_push ?? c.gitlab?.deploy_on_push ?? c.bitbucket?.deploy_on_push;
        return git?.repo === repo && git.branch === branch && onPush === true;
      });
      if (tracks && !app.pinnedId) {
        const commit = this.commit(repo, sha);
        this.start(app, {
          cause: `commit ${sha.slice(0, 7)} pushed to github.com/${repo}/tree/${branch}`,
          causeDetails: {
            type: 'DEPLOY_ON_PUSH',
            git_push: {
              github: { repo, branch, deploy_on_push: true },
              commit_sha: sha,
              ...(commit?.message ? { commit_message: commit.message } : {}),
            },
          },
        });
      }
    }
    return sha;
  }

  /**
   * Applies a spec update and returns the deployment it creates. DigitalOcean names that
   * deployment `pending_deployment` in its answer (apps/models/app.yml); with
   * `answerSpecUpdateEarly` the answer comes before the deployment exists instead.
   */
  updateSpec(app: SimApp, spec: AppSpec, updateAll: boolean): SimDeployment | undefined {
    const early = this.earlyAnswers.get(app.id);
    if (app.pinnedId || !early) return this.createFromSpec(app, spec, updateAll);
    this.earlyAnswers.delete(app.id);
    // Someone's deployment (a console click, a push) starts between the PUT and the
    // deployment it causes; it runs the spec as it was.
    if (early.interleave) this.start(app, { cause: 'manual' });
    this.later(() => this.createFromSpec(app, spec, updateAll), early.delayMs);
    app.spec = structuredClone(spec);
    return undefined;
  }

  /** The next spec update of `appId` is answered before its deployment exists (see updateSpec). */
  answerSpecUpdateEarly(appId: string, options: { delayMs: number; interleave?: boolean }): void {
    this.earlyAnswers.set(appId, { delayMs: options.delayMs, interleave: options.interleave === true });
  }

  private createFromSpec(app: SimApp, spec: AppSpec, updateAll: boolean): SimDeployment {
    const active = app.activeId ? this.deployment(app, app.activeId) : undefined;
    const heads = this.headCommits(spec);
    const commits: Record<string, string> = {};
    for (const c of componentsOf(spec)) {
      const head = heads[c.name];
      if (!head) continue;
      const before = active && componentsOf(active.spec).find((x) => x.name === c.name);
      const sameSource = before && JSON.stringify(gitSourceOf(before)) === JSON.stringify(gitSourceOf(c));
      // DO keeps the running commit of unchanged sources unless asked to update them all.
      commits[c.name] = !updateAll && sameSource && active.commits[c.name] ? active.commits[c.name]! : head;
    }
    const dep = this.deploy(app, { cause: 'app spec updated', spec, commits });
    app.spec = structuredClone(spec);
    return dep;
  }

  health(app: SimApp): SimHealth[] {
    return [...(app.spec.services ?? []), ...(app.spec.workers ?? [])].map((c) => {
      let h = app.health.get(c.name);
      if (!h) {
        h = {
          name: c.name,
          state: 'HEALTHY',
          replicas_desired: 1,
          replicas_ready: 1,
          cpu_usage_percent: 7.5,
          memory_usage_percent: 41.2,
        };
        app.health.set(c.name, h);
      }
      return h;
    });
  }

  later(fn: () => void, delayMs = this.phaseDelayMs): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
