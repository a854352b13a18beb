import type { EnvConfig } from '../../src/config/schema.js';
import type { App, ComponentHealth } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { TargetActions } from './actions.js';

/**
 * One idea of a deploy target, so commands, approvals, promote, rollback, locks, the
 * summary and the sandbox treat App Platform apps and Droplet stacks alike.
 *
 * A target answers what it runs now (`currentRelease`), keeps a release log to roll
 * back to, reports health, and describes a plan for the approval card (`TargetReads`).
 * What a person asks (deploy, roll back, promote) goes through `TargetActions`
 * (handlers/deploy/actions.ts): prepared, approved when the env needs it, then run.
 * App Platform implements it in handlers/deploy/app-platform-*.ts, where a deployment
 * is started on DigitalOcean and followed by the crash-safe follower; Droplets in
 * handlers/droplet/, where the rollout runs here, host by host (`DropletTarget`).
 */

export type TargetKind = 'app_platform' | 'droplets';

/**
 * One service's image as a release pins it. App Platform components built from git
 * have no image: they say `source: 'git'`, `image` is the repository and `digest` the
 * commit DigitalOcean built, so a release still names exactly what runs.
 */
export interface ServiceImage {
  service: string;
  /** Repository without tag, e.g. ghcr.io/acme/vulcan/backend. */
  image: string;
  digest: string;
  /** The tag the digest was resolved from, when it came from one. */
  tag?: string;
  /** Absent means an image; `git` only for App Platform components built from a branch. */
  source?: 'image' | 'git';
}

/** What an env runs (or ran): the unit a deploy, a rollback and a promotion move. */
export interface Release {
  id: string;
  services: ServiceImage[];
}

export type ReleaseOutcome = 'started' | 'succeeded' | 'failed' | 'rolled_back';

/** A release log entry: what was deployed, by whom, when, how it ended. */
export interface ReleaseRecord extends Release {
  kind: PlanKind;
  by: string;
  at: string;
  outcome: ReleaseOutcome;
  auditId?: string;
  /** Set when the outcome is not success: which host, and why. */
  failure?: { host?: string; reason: string };
  finishedAt?: string;
}

export type PlanKind = 'deploy' | 'rollback' | 'promote';

/** One service's move, as an approval card shows it. */
export interface ServiceChange {
  service: string;
  image: string;
  /** `git` for an App Platform component built from a branch: the "digests" are commits. */
  source?: 'image' | 'git';
  from?: { digest: string; tag?: string };
  to: { digest: string; tag?: string };
}

/** What will happen, computed before anything changes; an approval binds to `binding`. */
export interface ReleasePlan {
  app: string;
  env: string;
  kind: PlanKind;
  release: Release;
  /** What runs now (undefined on a first deploy). */
  current?: Release;
  changes: ServiceChange[];
  /** Flat strings an approval stores; if they differ when approved, the plan is stale. */
  binding: Record<string, string>;
}

/** A step of a rollout, for the message that follows it. */
export interface RolloutEvent {
  step:
    | 'resolve'
    | 'leave_lb'
    | 'pull'
    | 'up'
    | 'migrate'
    | 'host_health'
    | 'join_lb'
    | 'host_done'
    | 'host_failed'
    | 'restore'
    | 'health_url';
  host?: string;
  detail?: string;
}

export interface RolloutResult {
  ok: boolean;
  release: Release;
  /** Hosts now running the plan's release. */
  updated: string[];
  /** The host that failed, and why, in one line. */
  failedHost?: string;
  reason?: string;
  /** Last lines of the failing service's logs on the failing host (scrubbed). */
  logTail?: string;
  /** Hosts put back on their previous release after a failure. */
  restored: string[];
  /** Hosts that could not be put back (they need a person). */
  notRestored: Array<{ host: string; reason: string }>;
  healthUrl?: { ok: boolean; detail: string };
  /** The host `migrate` ran on: a restore puts the code back, never the schema. */
  migratedOn?: string;
}

export interface HostHealth {
  host: string;
  reachable: boolean;
  releaseDigests?: Record<string, string>;
  /** The release the host runs, with the tags the release log knows (absent: none yet). */
  release?: Release;
  healthy: boolean;
  detail: string;
}

export interface TargetHealth {
  state: 'good' | 'bad' | 'unknown';
  /** One per Droplet host; an App Platform app has none (its components say it). */
  hosts: HostHealth[];
  /** App Platform: what DigitalOcean said of the app and its components, or why it could not be read. */
  platform?: PlatformHealth;
}

export interface PlatformHealth {
  app?: App;
  appError?: string;
  components?: ComponentHealth[];
  componentsError?: string;
}

/** Bounds for a health check that a person waits for (/health) rather than a rollout. */
export interface HealthOptions {
  /** Each remote command or API call. */
  timeoutMs?: number;
}

/** Who a Droplet rollout runs for, and who hears of each step. */
export interface RolloutContext {
  /** Slack user id of who asked (and, for production, who approved is in the audit). */
  by: string;
  auditId?: string;
  onEvent?: (event: RolloutEvent) => void | Promise<void>;
}

/** A description for the approval card: a title and one line per change. */
export interface PlanDescription {
  title: string;
  lines: string[];
}

/** What both kinds of target answer without changing anything. */
export interface TargetReads {
  readonly kind: TargetKind;
  readonly app: string;
  readonly env: string;
  currentRelease(): Promise<Release | undefined>;
  /** Run a given release (promotion from another env, or a pick from the log). */
  planRelease(release: Release, kind: PlanKind): Promise<ReleasePlan>;
  /** The release log, newest first. */
  releases(limit?: number): Promise<ReleaseRecord[]>;
  health(options?: HealthOptions): Promise<TargetHealth>;
  describe(plan: ReleasePlan): PlanDescription;
}

/** An env as commands, approvals and the summary see it, whichever kind it is. */
export interface DeployTarget extends TargetReads, TargetActions {}

/**
 * A Droplet env's rollout engine: it resolves tags to digests and carries a plan out
 * host by host in this process. handlers/droplet/actions.ts wraps it with the run
 * intent, audit and progress message that make it a `DeployTarget`.
 */
export interface DropletTarget extends TargetReads {
  readonly kind: 'droplets';
  /** Deploy by tag (default `latest`): resolve each service's tag to a digest. */
  planDeploy(options?: { tag?: string }): Promise<ReleasePlan>;
  /** Carries a plan out; the result says where and why it stopped. */
  deploy(plan: ReleasePlan, context: RolloutContext): Promise<RolloutResult>;
}

/**
 * The App Platform app of an env, for what only App Platform has (/logs, /restart, a
 * rollback's pin): a Droplet env is refused with the reason instead of calling
 * DigitalOcean with no app.
 */
export function appPlatformAppId(app: string, env: string, envConfig: EnvConfig): string {
  if (envConfig.app_id) return envConfig.app_id;
  throw new DocksideError(
    'not_available',
    `${app} ${env} runs on Droplets; this works on App Platform apps only.`,
    { hint: 'See "Droplet targets" in the README for the commands that drive Droplet envs.' },
  );
}
