import type { App } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { ApprovalService } from '../approvals/service.js';
import type { RegisteredCommand } from '../commands/registry.js';
import type { OutOfBandOptions, OutOfBandWatcher } from '../handlers/announce/index.js';
import type { DeploymentFollower } from '../handlers/deploy/follow-deployment.js';
import type { Recovery } from '../handlers/deploy/recovery.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import type { Anchoring } from './audit/anchor.js';
import type { RedisAuditLog } from './audit/redis-audit-log.js';
import type { Clock } from './clock.js';
import type { Config } from './config/schema.js';
import type { AppOpsClient } from './do/app-ops-port.js';
import type { DoClient } from './do/port.js';
import type { Env } from './env.js';
import type { LockStore } from './locks/types.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { HealthProbeResult } from './render/deployment.js';
import type { Scheduler } from './scheduler/index.js';
import type { DocksideReceiver } from './slack/receiver.js';
import type { SlackPoster } from './slack/reply.js';

/** How the composition root (app.ts) is built: every option has a production default. */
export interface DocksideOptions {
  env: Env & { SLACK_BOT_TOKEN: string; DIGITALOCEAN_TOKEN: string };
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Port for the HTTP server; 0 picks a free one (tests). */
  port?: number;
  host?: string;
  replicaId?: string;
  /** Deployment polling interval; short in tests and the sandbox. */
  pollMs?: number;
  /** Minimum time between updates of one Slack message. */
  updateIntervalMs?: number;
  /** Web API retries (0 in tests: a failing call must not wait for minutes). */
  slackRetries?: number;
  /** Timeout of one DigitalOcean call (default 15 s, as dots-wrapper). */
  doTimeoutMs?: number;
  /** DO API read retries and their base delay. */
  doRetry?: { retries: number; baseDelayMs: number; maxDelayMs: number };
  probeHealth?: (url: string) => Promise<HealthProbeResult>;
  /** Scheduled summaries, alert polls and dumps (off in most tests). */
  schedules?: boolean;
  /** How often pending approvals are checked for expiry. */
  expirySweepMs?: number;
  /** Prefix for every Redis key (tests give each bot its own). */
  redisKeyPrefix?: string;
  /** How often this replica marks itself alive and sweeps intents and unfollowed deployments. */
  recoveryTickMs?: number;
  /** How long after a create without an answer dockside looks for its deployment before concluding none was made. */
  createWindowMs?: number;
  /** How long the final Slack update of a deployment is retried before it is posted anew. */
  finalRetryMs?: number;
  /**
   * Write the audit chain head outside Redis (backup destination and ops channel) and
   * continue from it when Redis loses the log. Off in tests and the sandbox unless asked.
   */
  auditAnchors?: { every?: number; tickMs?: number } | false;
  /** How often a Droplet host's health is polled during a rollout (short in tests and the sandbox). */
  dropletHealthPollMs?: number;
  /** How long a graceful stop waits for work in flight (creates included) before letting go. */
  drainMs?: number;
  /**
   * The watcher of deployments dockside did not start (handlers/announce/): how often one
   * replica polls (default 30 s) and how often a deployment it follows is polled: 15 s when
   * its progress is shown, 60 s when only a failure would be posted. `false` turns it off (most tests).
   */
  outOfBand?: OutOfBandOptions | false;
}

export interface Dockside {
  app: App;
  config: Config;
  receiver: DocksideReceiver;
  redis: Redis;
  do: DoClient;
  ops: AppOpsClient;
  /** Each env's deploy target (App Platform or Droplets). */
  targets: DeployTargets;
  audit: RedisAuditLog;
  locks: LockStore;
  slack: SlackPoster;
  follower: DeploymentFollower;
  recovery: Recovery;
  /** Writes the audit chain head outside Redis; absent when turned off. */
  anchoring: Anchoring | undefined;
  approvals: ApprovalService;
  metrics: Metrics;
  /** Scheduled jobs (summary, health poll, dumps, prunes); one replica runs each tick. */
  scheduler: Scheduler;
  /** Notices deployments dockside did not start; absent when turned off. */
  outOfBand: OutOfBandWatcher | undefined;
  commands: ReadonlyMap<string, RegisteredCommand>;
  /** The HTTP port actually bound. */
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}
