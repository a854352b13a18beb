import type { AppSpec, ComponentSpec, DeploymentPhase } from '../../do/port.js';

/** How the next deployment of an app ends, when a test or the sandbox wants it to go wrong. */
export type NextOutcome =
  | {
      kind: 'error';
      /** The phase in which it fails (default BUILDING). */
      phase?: 'PENDING_BUILD' | 'BUILDING' | 'PENDING_DEPLOY' | 'DEPLOYING';
      reason?: { code: string; message: string };
      /** Overrides the deployment's cause text. */
      cause?: string;
      /** The component (or PRE_DEPLOY job) that fails; default the first of the spec. */
      component?: string;
    }
  | { kind: 'cancel'; phase?: 'PENDING_BUILD' | 'BUILDING' | 'PENDING_DEPLOY' | 'DEPLOYING' };

export interface SimDeployment {
  id: string;
  appId: string;
  phase: DeploymentPhase;
  /** The last phase it reached before ERROR or CANCELED: says which step failed. */
  stoppedIn?: DeploymentPhase;
  failure?: { component: string; reason: { code: string; message: string } };
  cause: string;
  /** `cause_details` as DigitalOcean sends it (snake_case; shapes in out-of-band.ts). */
  causeDetails?: SimCauseDetails;
  createdAt: string;
  updatedAt: string;
  spec: AppSpec;
  /** Git component name -> commit built. */
  commits: Record<string, string>;
  clonedFrom?: string;
  outcome?: NextOutcome;
  /** POST_DEPLOY jobs whose invocation fails while the deployment stays ACTIVE (as on App Platform). */
  failedJobs?: string[];
}

/** DigitalOcean's `cause_details` of a deployment (godo's DeploymentCauseDetails), snake_case. */
export interface SimCauseDetails {
  type: 'MANUAL' | 'DEPLOY_ON_PUSH' | 'MAINTENANCE' | 'MANUAL_ROLLBACK' | 'AUTO_ROLLBACK' | 'AUTOSCALED';
  digitalocean_user_action?: { name: string; user?: { uuid?: string; email?: string; full_name?: string } };
  git_push?: {
    github?: { repo: string; branch: string; deploy_on_push?: boolean };
    username?: string;
    commit_author?: string;
    commit_sha?: string;
    commit_message?: string;
  };
}

export interface SimHealth {
  name: string;
  state: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  replicas_desired: number;
  replicas_ready: number;
  cpu_usage_percent: number;
  memory_usage_percent: number;
}

export interface SimApp {
  id: string;
  spec: AppSpec;
  createdAt: string;
  /** Newest first, as DO lists them. */
  deployments: SimDeployment[];
  activeId?: string;
  inProgressId?: string;
  pendingId?: string;
  pinnedId?: string;
  /** The spec before a pinned rollback, which a revert deploys again. */
  preRollback?: { spec: AppSpec; commits: Record<string, string> };
  nextOutcome?: NextOutcome;
  /** POST_DEPLOY jobs that fail in the next deployment. */
  nextFailedJobs?: string[];
  health: Map<string, SimHealth>;
}

export interface SimBackup {
  created_at: string;
  size_gigabytes: number;
}

export interface SimDatabase {
  id: string;
  name: string;
  engine: string;
  version: string;
  region: string;
  size: string;
  num_nodes: number;
  status: string;
  created_at: string;
  private_network_uuid?: string;
  project_id?: string;
  backups: SimBackup[];
  /** For restored clusters: where the data came from, so tests can check the backup chosen. */
  restoredFrom?: { clusterName: string; backupCreatedAt: string };
}

export interface SimFault {
  /** `METHOD /v2/path` with a route template (`GET /v2/apps/:id`) or a concrete path. */
  route: string;
  status: number;
  remaining: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface SimRequest {
  method: string;
  path: string;
  route: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: string;
}

/** A thrown answer: the router turns it into a DO-style error body. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

export const GIT_KEYS = ['github', 'gitlab', 'bitbucket', 'git'] as const;

export function componentsOf(spec: AppSpec): ComponentSpec[] {
  return [spec.services, spec.workers, spec.jobs, spec.static_sites].flatMap((list) => list ?? []);
}

export function gitSourceOf(component: ComponentSpec): { repo: string; branch: string } | undefined {
  for (const key of GIT_KEYS) {
    const source = component[key];
    if (source?.branch) return { repo: source.repo ?? source.repo_clone_url ?? '', branch: source.branch };
  }
  return undefined;
}
