import type { Redis } from 'ioredis';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import type { ComponentHealth, DeploymentPhase, DoClient } from '../../src/do/port.js';
import type { Lock, LockStore } from '../../src/locks/types.js';
import type { DeployTargets } from '../deploy/targets.js';

/** good / bad, or unknown when dockside could not tell (e.g. the DO API did not answer). */
export type HealthState = 'good' | 'bad' | 'unknown';

export interface CheckResult {
  name: string;
  state: HealthState;
  /** Short, for a table cell: `200 120ms`, `ACTIVE 2h`, `2/2 ready`. */
  detail: string;
  latencyMs?: number;
}

/** One Droplet host as /health shows it. */
export interface HostView {
  host: string;
  reachable: boolean;
  healthy: boolean;
  /** `healthy`, or why not (scrubbed, one line). */
  detail: string;
  /** What the host runs, per service (empty when it has no release yet). */
  services: Array<{ service: string; digest: string; tag?: string }>;
  releaseId?: string;
  /** What a person should look at: `unreachable`, `unhealthy`, `other release`. */
  flags: string[];
}

export interface EnvHealth {
  app: string;
  env: string;
  appId: string;
  state: HealthState;
  checks: CheckResult[];
  /** Droplet envs: each host, in rollout order. */
  hosts?: HostView[];
  deployment?: { id: string; phase: DeploymentPhase; ageMs: number; inProgressPhase?: DeploymentPhase };
  components?: ComponentHealth[];
  /** Set when a rollback pinned the app and nobody committed or reverted it yet. */
  pinnedDeploymentId?: string;
}

export interface ProbeHealth {
  name: string;
  state: HealthState;
  latencyMs?: number;
  error?: string;
  /** Reachable but misconfigured, e.g. the database user can read masked columns or write. */
  warnings?: string[];
}

export interface HealthReport {
  envs: EnvHealth[];
  databases: ProbeHealth[];
  redis: ProbeHealth;
  locks: Lock[];
  /** Standing warnings about dockside's own setup (e.g. backups on a disk a redeploy discards). */
  notices?: string[];
  checkedAt: string;
  durationMs: number;
}

export interface HealthDeps {
  config: Config;
  do: DoClient;
  /** dockside's own Redis, pinged as part of the report. */
  redis: Redis;
  locks: LockStore;
  /** Connects to a configured database and runs a trivial query; throws when it cannot. */
  pingDatabase: (name: string) => Promise<void>;
  /** Privilege warnings for a reachable database (src/db/writable.ts). */
  databaseWarnings?: (name: string) => Promise<string[]>;
  clock: Clock;
  fetch?: typeof fetch;
  /** Each env's deploy target; without it Droplet hosts are not checked (App Platform falls back to `do`). */
  targets?: Pick<DeployTargets, 'get'>;
  /** Shown with every report; see HealthReport.notices. */
  notices?: string[];
}

/** bad wins; otherwise good if anything was seen to be good; unknown only when nothing could be checked. */
export function combine(states: HealthState[]): HealthState {
  if (states.includes('bad')) return 'bad';
  if (states.includes('good')) return 'good';
  return 'unknown';
}
