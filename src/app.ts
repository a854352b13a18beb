import { randomUUID } from 'node:crypto';
import { App } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { auditCommand } from '../commands/audit.js';
import { deployCommand } from '../commands/deploy.js';
import { registerCommands } from '../commands/index.js';
import { lockCommand, unlockCommand } from '../commands/lock.js';
import { type RegisteredCommand, register } from '../commands/registry.js';
import { createRedisAuditLog, type RedisAuditLog } from './audit/redis-audit-log.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/schema.js';
import { createDedupe } from './dedupe.js';
import { createDoClient } from './do/client.js';
import type { DoClient } from './do/port.js';
import type { Env } from './env.js';
import { DocksideError } from './errors.js';
import { createDeploymentFollower, type DeploymentFollower } from './follow-deployment.js';
import { createRedisLockStore } from './locks/redis-lock-store.js';
import type { LockStore } from './locks/types.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { connectRedis, createRedis, redisHealthy } from './redis.js';
import type { HealthProbeResult } from './render/deployment.js';
import { boltLogger } from './slack/bolt-logger.js';
import { DocksideReceiver } from './slack/receiver.js';
import type { SlackPoster } from './slack/reply.js';
import { createUsergroupDirectory } from './slack/usergroups.js';
import { createWebPoster } from './slack/web-poster.js';
import { createWatcherStore } from './watchers.js';

const VERSION = process.env.npm_package_version ?? '0.1.0';

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
  /** DO API read retries and their base delay. */
  doRetry?: { retries: number; baseDelayMs: number; maxDelayMs: number };
  probeHealth?: (url: string) => Promise<HealthProbeResult>;
  /** Prefix for every Redis key (tests give each bot its own). */
  redisKeyPrefix?: string;
}

export interface Dockside {
  app: App;
  config: Config;
  receiver: DocksideReceiver;
  redis: Redis;
  do: DoClient;
  audit: RedisAuditLog;
  locks: LockStore;
  slack: SlackPoster;
  follower: DeploymentFollower;
  metrics: Metrics;
  commands: ReadonlyMap<string, RegisteredCommand>;
  /** The HTTP port actually bound. */
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function defaultProbe(url: string, timeoutMs: number): Promise<HealthProbeResult> {
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const ms = Math.round(performance.now() - started);
    return { ok: res.ok, summary: `${res.status} in ${ms} ms` };
  } catch {
    return { ok: false, summary: `no answer within ${timeoutMs} ms` };
  }
}

/** The composition root: builds every client once and hands them in. Nothing starts until start(). */
export function createDockside(options: DocksideOptions): Dockside {
  const { env, config, log } = options;
  const clock = options.clock ?? systemClock;
  const replicaId = options.replicaId ?? randomUUID().slice(0, 8);
  const metrics = createMetrics();
  const redis = createRedis(
    env.REDIS_URL,
    options.redisKeyPrefix ? { keyPrefix: options.redisKeyPrefix } : {},
  );
  const dedupe = createDedupe(redis);
  const audit = createRedisAuditLog({ redis, clock, retentionDays: config.audit.retention_days, log });
  const locks = createRedisLockStore({ redis, clock });
  const doClient = createDoClient({
    token: env.DIGITALOCEAN_TOKEN,
    ...(env.DIGITALOCEAN_API_URL ? { endpoint: env.DIGITALOCEAN_API_URL } : {}),
    ...(options.doRetry ? { retry: options.doRetry } : {}),
    clock,
    log,
    onCall: (call) =>
      metrics.doCalls.inc({ method: call.method, route: call.route, status: String(call.status) }),
  });

  const receiver = new DocksideReceiver({
    ...(env.SLACK_APP_TOKEN ? {} : { signingSecret: env.SLACK_SIGNING_SECRET ?? '' }),
    port: options.port ?? env.PORT,
    ...(options.host ? { host: options.host } : {}),
    log,
    metrics,
    clock,
    firstDelivery: (key) => dedupe.once(key, 600),
    health: async () => {
      const redisOk = await redisHealthy(redis);
      return {
        status: redisOk ? 200 : 503,
        body: {
          status: redisOk ? 'ok' : 'degraded',
          redis: redisOk ? 'ok' : 'unreachable',
          uptime: Math.round(process.uptime()),
          version: VERSION,
          mode: env.SLACK_APP_TOKEN ? 'socket' : 'http',
        },
      };
    },
  });

  const clientOptions = {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    retryConfig: { retries: options.slackRetries ?? 3, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
  };
  const app = env.SLACK_APP_TOKEN
    ? new App({
        token: env.SLACK_BOT_TOKEN,
        appToken: env.SLACK_APP_TOKEN,
        socketMode: true,
        logger: boltLogger(log),
        clientOptions,
        deferInitialization: true,
      })
    : new App({
        token: env.SLACK_BOT_TOKEN,
        receiver,
        logger: boltLogger(log),
        clientOptions,
        deferInitialization: true,
      });

  const slack = createWebPoster(app.client);
  const groups = createUsergroupDirectory({ client: app.client, clock, log });
  const follower = createDeploymentFollower({
    do: doClient,
    watchers: createWatcherStore(redis),
    slack,
    audit,
    log,
    clock,
    probeHealth: options.probeHealth ?? ((url) => defaultProbe(url, config.health.timeout_ms)),
    replicaId,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.updateIntervalMs !== undefined ? { updateIntervalMs: options.updateIntervalMs } : {}),
  });

  const commandList: RegisteredCommand[] = [
    register(
      deployCommand({
        do: doClient,
        locks,
        follower,
        now: () => clock.now(),
        requestApproval: async () => {
          throw new DocksideError(
            'not_available',
            'Production deploys need approvals, which are not available yet.',
          );
        },
      }),
      ['deploy'],
    ),
    register(auditCommand({ audit }), []),
    register(lockCommand({ locks, clock }), ['deploy', 'lock']),
    register(unlockCommand({ locks }), ['deploy', 'lock']),
  ];
  const commands = new Map(commandList.map((c) => [c.name, c]));
  registerCommands(app, { config, commands, audit, groups, slack, metrics, log });

  app.error(async (err) => {
    log.error({ err }, 'unhandled Slack listener error');
  });

  const timers: NodeJS.Timeout[] = [];
  return {
    app,
    config,
    receiver,
    redis,
    do: doClient,
    audit,
    locks,
    slack,
    follower,
    metrics,
    commands,
    get port() {
      return receiver.port;
    },
    async start() {
      await connectRedis(redis, env.REDIS_URL);
      await app.init();
      if (env.SLACK_APP_TOKEN) await receiver.start();
      await app.start();
      await follower.resume();
      timers.push(setInterval(() => void follower.resume().catch(() => undefined), 30_000));
      log.info(
        { port: receiver.port, mode: env.SLACK_APP_TOKEN ? 'socket' : 'http', replicaId },
        'dockside started',
      );
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await app.stop().catch(() => undefined);
      if (env.SLACK_APP_TOKEN) await receiver.stop();
      redis.disconnect();
    },
  };
}
