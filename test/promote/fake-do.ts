import type {
  App,
  AppSpec,
  ComponentSpec,
  Deployment,
  DeploymentPhase,
  DoClient,
  RollbackValidation,
} from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { Lock, LockStore } from '../../src/locks/types.js';

/**
 * An in-memory App Platform for handler tests: apps with deployments, the PUT/deploy/
 * rollback calls recorded so tests can assert what did (and did not) reach DigitalOcean.
 */

export const SHA = {
  a: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
  b: '9a4df0b1c2d3e4f5061728394a5b6c7d8e9f0a1b',
  c: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
};
export const DIGEST = {
  x: `sha256:${'a'.repeat(64)}`,
  y: `sha256:${'b'.repeat(64)}`,
  z: `sha256:${'c'.repeat(64)}`,
};

let seq = 0;
export function depId(): string {
  seq += 1;
  return `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
}

/** Staging deploys on push; production, set up for promotion, does not. */
export function gitService(
  name: string,
  repo: string,
  branch: string,
  deployOnPush = branch !== 'production',
): ComponentSpec {
  return { name, github: { repo, branch, deploy_on_push: deployOnPush }, instance_size_slug: 'basic-xxs' };
}

export function imageWorker(
  name: string,
  ref: { tag?: string; digest?: string; deploy_on_push?: { enabled: boolean } },
): ComponentSpec {
  return {
    name,
    image: { registry_type: 'GHCR', registry: 'acme', repository: name, ...ref },
    instance_count: 2,
  };
}

export function deployment(input: {
  id?: string;
  phase?: DeploymentPhase;
  at: string;
  spec: AppSpec;
  commits?: Record<string, string>;
  cause?: string;
}): Deployment {
  const names = [...(input.spec.services ?? []), ...(input.spec.workers ?? [])].map((c) => c.name);
  return {
    id: input.id ?? depId(),
    phase: input.phase ?? 'ACTIVE',
    cause: input.cause ?? 'manual',
    createdAt: input.at,
    updatedAt: input.at,
    progress: { successSteps: 1, totalSteps: 1, errorSteps: 0, steps: [] },
    components: names.map((name) => {
      const commit = input.commits?.[name];
      return commit ? { name, sourceCommitHash: commit } : { name };
    }),
    spec: structuredClone(input.spec),
  };
}

interface FakeApp {
  app: App;
  deployments: Deployment[];
}

export class FakeDo implements DoClient {
  readonly apps = new Map<string, FakeApp>();
  readonly calls: string[] = [];
  readonly specUpdates: Array<{ appId: string; spec: AppSpec; updateAllSourceVersions?: boolean }> = [];
  validation: RollbackValidation = { valid: true, warnings: [] };

  addApp(id: string, spec: AppSpec, deployments: Deployment[] = []): FakeApp {
    const entry: FakeApp = { app: { id, name: spec.name, spec: structuredClone(spec) }, deployments: [] };
    this.apps.set(id, entry);
    for (const d of deployments) this.push(id, d);
    return entry;
  }

  /** Adds a deployment; an ACTIVE one supersedes the previous active deployment. */
  push(appId: string, d: Deployment): Deployment {
    const entry = this.entry(appId);
    if (d.phase === 'ACTIVE') {
      const previous = entry.app.activeDeployment;
      if (previous) previous.phase = 'SUPERSEDED';
      entry.app.activeDeployment = d;
    }
    entry.deployments.push(d);
    return d;
  }

  activate(appId: string, deploymentId: string, commits: Record<string, string> = {}): void {
    const entry = this.entry(appId);
    const d = entry.deployments.find((x) => x.id === deploymentId);
    if (!d) throw new Error(`no deployment ${deploymentId}`);
    for (const c of d.components) c.sourceCommitHash = commits[c.name] ?? c.sourceCommitHash;
    const previous = entry.app.activeDeployment;
    if (previous) previous.phase = 'SUPERSEDED';
    d.phase = 'ACTIVE';
    entry.app.activeDeployment = d;
    delete entry.app.inProgressDeployment;
  }

  private entry(appId: string): FakeApp {
    const entry = this.apps.get(appId);
    if (!entry) throw new DocksideError('do_not_found', `app ${appId} not found`);
    return entry;
  }

  private startDeployment(appId: string, cause: string): Deployment {
    const entry = this.entry(appId);
    const d = deployment({
      phase: 'PENDING_BUILD',
      at: new Date().toISOString(),
      spec: entry.app.spec,
      cause,
    });
    entry.deployments.push(d);
    entry.app.inProgressDeployment = d;
    return d;
  }

  async getApp(appId: string): Promise<App> {
    return structuredClone(this.entry(appId).app);
  }
  async listDeployments(appId: string, options?: { perPage?: number }): Promise<Deployment[]> {
    const sorted = [...this.entry(appId).deployments].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return structuredClone(sorted.slice(0, options?.perPage ?? 20));
  }
  async getDeployment(appId: string, deploymentId: string): Promise<Deployment> {
    const d = this.entry(appId).deployments.find((x) => x.id === deploymentId);
    if (!d) throw new DocksideError('do_not_found', `deployment ${deploymentId} not found`);
    return structuredClone(d);
  }
  async createDeployment(appId: string): Promise<Deployment> {
    this.calls.push(`createDeployment ${appId}`);
    return structuredClone(this.startDeployment(appId, 'manual'));
  }
  async updateAppSpec(
    appId: string,
    spec: AppSpec,
    options?: { updateAllSourceVersions?: boolean },
  ): Promise<App> {
    this.calls.push(`updateAppSpec ${appId}`);
    this.specUpdates.push({ appId, spec: structuredClone(spec), ...options });
    this.entry(appId).app.spec = structuredClone(spec);
    this.startDeployment(appId, 'app spec updated');
    return this.getApp(appId);
  }
  async validateRollback(appId: string, deploymentId: string): Promise<RollbackValidation> {
    this.calls.push(`validateRollback ${appId} ${deploymentId}`);
    return structuredClone(this.validation);
  }
  async rollback(appId: string, deploymentId: string): Promise<Deployment> {
    this.calls.push(`rollback ${appId} ${deploymentId}`);
    const entry = this.entry(appId);
    const target = entry.deployments.find((d) => d.id === deploymentId);
    if (!target?.spec) throw new Error('rollback target unknown');
    const d = deployment({
      phase: 'PENDING_DEPLOY',
      at: new Date().toISOString(),
      spec: target.spec,
      cause: 'rollback',
    });
    entry.deployments.push(d);
    entry.app.inProgressDeployment = d;
    entry.app.pinnedDeployment = d;
    return structuredClone(d);
  }
  async commitRollback(appId: string): Promise<void> {
    this.calls.push(`commitRollback ${appId}`);
    delete this.entry(appId).app.pinnedDeployment;
  }
  async revertRollback(appId: string): Promise<Deployment> {
    this.calls.push(`revertRollback ${appId}`);
    delete this.entry(appId).app.pinnedDeployment;
    return structuredClone(this.startDeployment(appId, 'rollback reverted'));
  }
  async cancelDeployment(): Promise<Deployment> {
    throw new Error('not used by these handlers');
  }
  async getAppHealth(): Promise<never> {
    throw new Error('not used by these handlers');
  }
  async getDatabaseCluster(): Promise<never> {
    throw new Error('not used by these handlers');
  }
  async listDatabaseBackups(): Promise<never> {
    throw new Error('not used by these handlers');
  }
  async restoreDatabaseBackup(): Promise<never> {
    throw new Error('not used by these handlers');
  }
}

export class MemoryLocks implements LockStore {
  readonly locks = new Map<string, Lock>();
  failWrites = false;
  async get(app: string, env: string): Promise<Lock | null> {
    return this.locks.get(`${app}/${env}`) ?? null;
  }
  async list(): Promise<Lock[]> {
    return [...this.locks.values()];
  }
  async lock(lock: Lock): Promise<void> {
    if (this.failWrites) throw new Error('Redis is unreachable');
    this.locks.set(`${lock.app}/${lock.env}`, lock);
  }
  async unlock(app: string, env: string): Promise<Lock | null> {
    const lock = this.locks.get(`${app}/${env}`) ?? null;
    this.locks.delete(`${app}/${env}`);
    return lock;
  }
}

export const fixedClock = (iso: string) => ({ now: () => Date.parse(iso) });
