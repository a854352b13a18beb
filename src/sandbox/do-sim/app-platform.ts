import { randomUUID } from 'node:crypto';
import type { AppSpec, DeploymentPhase } from '../../do/port.js';
import { DeploymentLifecycle } from './deployment-lifecycle.js';
import { newSha } from './git-history.js';
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

/**
 * App Platform's apps: what starts a deployment (a request, a push, a spec update),
 * the pin a rollback sets, failures a test asks for, and component health. The phases
 * themselves run in DeploymentLifecycle, the git hosts in SimGitHosts.
 */
export class AppPlatformSim extends DeploymentLifecycle {
  private readonly earlyAnswers = new Map<string, { delayMs: number; interleave: boolean }>();

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
}
