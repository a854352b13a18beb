import type { DeploymentPhase } from '../../do/port.js';
import { SimGitHosts } from './git-history.js';
import { componentsOf, type SimApp, type SimDeployment, SimHttpError } from './types.js';

const NEXT: Partial<Record<DeploymentPhase, DeploymentPhase>> = {
  PENDING_BUILD: 'BUILDING',
  BUILDING: 'PENDING_DEPLOY',
  PENDING_DEPLOY: 'DEPLOYING',
  DEPLOYING: 'ACTIVE',
};

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

/**
 * App Platform's deployment life cycle on timers: phases one after the other, the
 * failure or cancel a test asked for, ACTIVE superseding the previous one, and the one
 * deployment queued behind a running one. AppPlatformSim (app-platform.ts) starts them.
 */
export class DeploymentLifecycle extends SimGitHosts {
  readonly apps = new Map<string, SimApp>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Told whenever a deployment goes ACTIVE (the log simulator prints runtime lines then). */
  readonly onActive = new Set<(app: SimApp, dep: SimDeployment) => void>();

  constructor(
    protected readonly phaseDelayMs: number,
    now?: () => Date,
  ) {
    super(now);
  }

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

  protected run(app: SimApp, dep: SimDeployment): void {
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

  protected finish(app: SimApp, dep: SimDeployment, phase: DeploymentPhase): void {
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
