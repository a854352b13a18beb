import type { KnownBlock } from '@slack/types';
import type { AuditLog } from '../../src/audit/types.js';
import type { Clock } from '../../src/clock.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import type { Logger } from '../../src/logger.js';
import type { HealthProbeResult } from '../../src/render/deployment.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { ChecklistItem, VerifyPlan } from './verify/types.js';
import type { RollingBack, WatcherStore, WatchRecord } from './watchers.js';

export interface FinishedDeployment {
  record: WatchRecord;
  deployment: Deployment;
  /** Went live and every checklist item passed. */
  ok: boolean;
  timedOut: boolean;
  /** The first health item, as the one health check of old (kept for the after-finish steps). */
  health?: HealthProbeResult;
  /** Post-deploy verification, when the deployment went live (handlers/deploy/verify). */
  checklist?: ChecklistItem[];
  /** The deployment that served before this one, when known: what a Roll back goes back to. */
  previousDeploymentId?: string | null;
  /** Saves in the watch record that an auto-rollback is (about to be) sent; throws when it could not be saved. */
  markRollingBack?: (rollingBack: RollingBack) => Promise<void>;
}

/** What a kind of deployment adds when it ends (promotion checks, rollback offers). */
export interface AfterFinishResult {
  lines?: string[];
  actions?: KnownBlock;
  ok?: boolean;
  /** The checklist as data (default: the follower's); where it is rendered is the message's business. */
  checklist?: ChecklistItem[];
}
export type AfterFinish = (finished: FinishedDeployment) => Promise<AfterFinishResult | undefined>;

export interface FollowerDeps {
  do: DoClient;
  watchers: WatcherStore;
  slack: SlackPoster;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  probeHealth: (url: string) => Promise<HealthProbeResult>;
  replicaId: string;
  pollMs?: number;
  updateIntervalMs?: number;
  /** How long a replica's claim on a deployment lasts without renewal; sized with the resume tick so takeover is within 10 s. */
  leaseMs?: number;
  /** How long a claimed thread reply may be in flight before another replica posts it (after reading the thread). */
  replyLeaseMs?: number;
  /** Give up following this long after the work was asked for (not after the last takeover). */
  followLimitMs?: number;
  /** How long the final message is retried (429, ratelimited, 5xx) before it is posted as a new message. */
  finalRetryMs?: number;
  sleep?: (ms: number) => Promise<void>;
  afterFinish?: Record<string, AfterFinish>;
  /** Post-deploy verification: job invocations and runtime logs (without it, health only). */
  ops?: AppOpsClient;
  /** The `verify:` plan of an env (undefined: health_url only, as before). */
  verifyPlan?: (app: string, env: string) => VerifyPlan | undefined;
  /** Timeout of one verify.health request. */
  healthTimeoutMs?: number;
  /** Told once the deployment's outcome is known (e.g. to close the approval it carried out). */
  onFinished?: (record: WatchRecord, ok: boolean, summary: string) => Promise<void>;
}
