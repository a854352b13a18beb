import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { type ApprovalService, createApprovalService } from '../approvals/service.js';
import { registerApprovalActions } from '../approvals/slack.js';
import { createRedisApprovalStore } from '../approvals/store.js';
import { auditCommand } from '../commands/audit.js';
import { createBackupCommand } from '../commands/backup.js';
import { registerCommandButtons } from '../commands/buttons.js';
import { deployCommand } from '../commands/deploy.js';
import { createHealthCommand } from '../commands/health.js';
import { registerCommands } from '../commands/index.js';
import { lockCommand, unlockCommand } from '../commands/lock.js';
import { logsCommand } from '../commands/logs.js';
import { promoteCommand } from '../commands/promote.js';
import { queryCommand } from '../commands/query.js';
import { type RegisteredCommand, register } from '../commands/registry.js';
import { restartCommand } from '../commands/restart.js';
import { rollbackCommand } from '../commands/rollback.js';
import {
  createOutOfBand,
  DEFAULT_TICK_MS,
  externalAfterFinish,
  type OutOfBandOptions,
  type OutOfBandWatcher,
} from '../handlers/announce/index.js';
import { createAfterFinish } from '../handlers/deploy/after-finish.js';
import { explainingFailures } from '../handlers/deploy/after-finish-failure.js';
import { createExecutors } from '../handlers/deploy/executors.js';
import {
  type AfterFinish,
  createDeploymentFollower,
  type DeploymentFollower,
} from '../handlers/deploy/follow-deployment.js';
import { createRecovery, type Recovery } from '../handlers/deploy/recovery.js';
import type { IntentRuntime } from '../handlers/deploy/runners.js';
import { createDeployTargets, type DeployTargets } from '../handlers/deploy/targets.js';
import { verifyPlans } from '../handlers/deploy/verify/settings.js';
import { createWatcherStore } from '../handlers/deploy/watchers.js';
import { checkHealthUrl } from '../handlers/health/http-check.js';
import { type Anchoring, createAnchoring, storageAnchorStore } from './audit/anchor.js';
import { createRedisAuditLog, type RedisAuditLog } from './audit/redis-audit-log.js';
import { type Clock, sleep, systemClock } from './clock.js';
import type { Config } from './config/schema.js';
import { createDataServices } from './data-services.js';
import { createDedupe } from './dedupe.js';
import { createAppOpsClient } from './do/app-ops.js';
import type { AppOpsClient } from './do/app-ops-port.js';
import { createDoClient, type DoCallInfo } from './do/client.js';
import { createDropletApi } from './do/droplets.js';
import type { DoClient } from './do/port.js';
import type { Env } from './env.js';
import { createGitHubClient } from './github/client.js';
import { createIntentStore } from './intents.js';
import { createRedisLockStore } from './locks/redis-lock-store.js';
import type { LockStore } from './locks/types.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { connectRedis, createRedis, redisHealth } from './redis.js';
import type { HealthProbeResult } from './render/deployment.js';
import type { Scheduler } from './scheduler/index.js';
import { registerConfiguredSecrets } from './secrets.js';
import { createSlackApp } from './slack/create-app.js';
import type { DocksideReceiver } from './slack/receiver.js';
import type { SlackPoster } from './slack/reply.js';
import { createResponseUrlPoster } from './slack/response-url.js';
import { createUsergroupDirectory } from './slack/usergroups.js';
import { createWebPoster } from './slack/web-poster.js';
import { createStorage } from './storage/index.js';

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

/** The composition root: builds every client once and hands them in. Nothing starts until start(). */
export function createDockside(options: DocksideOptions): Dockside {
  const { env, config, log } = options;
  // Here, not in main.ts: every way of building the bot (main, sandbox, tests) redacts the same.
  registerConfiguredSecrets({ ...process.env, ...env }, config);
  const clock = options.clock ?? systemClock;
  const replicaId = options.replicaId ?? randomUUID().slice(0, 8);
  const metrics = createMetrics();
  const keyPrefix = options.redisKeyPrefix ?? env.REDIS_KEY_PREFIX;
  const redis = createRedis(env.REDIS_URL, keyPrefix ? { keyPrefix } : {});
  const dedupe = createDedupe(redis);
  const anchorOptions = options.auditAnchors || undefined;
  const anchorStore =
    options.auditAnchors === false
      ? undefined
      : storageAnchorStore(createStorage(config.backups.destination, process.env), keyPrefix ?? '');
  const audit = createRedisAuditLog({
    redis,
    clock,
    retentionDays: config.audit.retention_days,
    log,
    ...(anchorStore ? { anchors: anchorStore } : {}),
  });
  const locks = createRedisLockStore({ redis, clock });
  const doOptions = {
    token: env.DIGITALOCEAN_TOKEN,
    ...(env.DIGITALOCEAN_API_URL ? { endpoint: env.DIGITALOCEAN_API_URL } : {}),
    ...(options.doRetry ? { retry: options.doRetry } : {}),
    ...(options.doTimeoutMs ? { timeoutMs: options.doTimeoutMs } : {}),
    clock,
    log,
    onCall: (call: DoCallInfo) =>
      metrics.doCalls.inc({ method: call.method, route: call.route, status: String(call.status) }),
  };
  const doClient = createDoClient(doOptions);
  const ops = createAppOpsClient(doOptions);
  const targets = createDeployTargets({
    config,
    redis,
    droplets: createDropletApi(doOptions),
    do: doClient,
    log,
    clock,
    sleep,
    probeHealth: (url) => checkHealthUrl(url, config.health.timeout_ms),
    ...(options.dropletHealthPollMs !== undefined ? { healthPollMs: options.dropletHealthPollMs } : {}),
  });

  const { app, receiver, socketMode } = createSlackApp({
    env,
    log,
    metrics,
    port: options.port ?? env.PORT,
    ...(options.host ? { host: options.host } : {}),
    retries: options.slackRetries ?? 3,
    firstDelivery: (key) => dedupe.once(key, 600),
    health: async () => {
      const health = await redisHealth(redis, `health:probe:${replicaId}`);
      return {
        status: health.ok ? 200 : 503,
        body: {
          status: health.ok ? 'ok' : 'degraded',
          redis: health.ok ? 'ok' : health.state,
          ...(health.ok ? {} : { reason: health.reason }),
          uptime: Math.round(process.uptime()),
          version: VERSION,
          mode: socketMode ? 'socket' : 'http',
        },
      };
    },
  });

  // Work in flight (listeners run past the ack); a graceful stop lets it finish before Redis goes.
  const inFlight = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });
  // A command is run once per trigger id: Socket Mode redelivers an envelope whose ack it
  // missed (HTTP mode also refuses a replayed signature). A repeat is acked and dropped.
  app.use(async (args) => {
    const body = args.body as { command?: unknown; trigger_id?: unknown };
    if (typeof body.command === 'string' && typeof body.trigger_id === 'string') {
      const first = await dedupe.once(`command:${body.trigger_id}`, 3600).catch(() => true);
      if (!first) {
        if ('ack' in args && typeof args.ack === 'function') await args.ack();
        log.info({ command: body.command }, 'repeated command delivery dropped');
        return;
      }
    }
    await args.next();
  });
  // Its own client: 429s come back at once (rejectRateLimitedCalls) and are retried by the
  // poster after Retry-After, so a final deployment update is never silently given up.
  const slackRetries = options.slackRetries ?? 3;
  const slack = createWebPoster(
    new WebClient(env.SLACK_BOT_TOKEN, {
      ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    }),
    { retries: slackRetries, maxTotalMs: 60_000 },
  );
  const intents: IntentRuntime = {
    store: createIntentStore(redis, clock),
    replicaId,
    working: new Set(),
  };
  const groups = createUsergroupDirectory({ client: app.client, clock, log });
  const approvalStore = createRedisApprovalStore({ redis });
  const github = createGitHubClient({
    ...(config.github?.token ? { token: config.github.token } : {}),
    ...(config.github?.api_url ? { apiUrl: config.github.api_url } : {}),
  });
  // The follower and the post-deployment steps need each other; the steps are filled in below.
  const afterFinish: Record<string, AfterFinish> = {};
  let approvals: ApprovalService | undefined;
  const follower = createDeploymentFollower({
    do: doClient,
    watchers: createWatcherStore(redis),
    slack,
    audit,
    log,
    clock,
    probeHealth:
      options.probeHealth ??
      (async (url) => {
        const check = await checkHealthUrl(url, config.health.timeout_ms);
        return { ok: check.state === 'good', summary: check.detail };
      }),
    replicaId,
    afterFinish,
    ops,
    verifyPlan: verifyPlans(config),
    healthTimeoutMs: config.health.timeout_ms,
    ...(options.finalRetryMs !== undefined ? { finalRetryMs: options.finalRetryMs } : {}),
    onFinished: async (record, ok, summary) => {
      if (record.approvalId) await approvals?.finish(record.approvalId, ok, summary);
    },
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.updateIntervalMs !== undefined ? { updateIntervalMs: options.updateIntervalMs } : {}),
  });
  const runner = {
    do: doClient,
    ops,
    locks,
    follower,
    clock,
    github,
    intents,
    log,
    targets,
    audit,
    // Droplet rollout messages are updated as often as App Platform's.
    ...(options.updateIntervalMs !== undefined ? { progressIntervalMs: options.updateIntervalMs } : {}),
  };
  Object.assign(
    afterFinish,
    explainingFailures(
      {
        ...createAfterFinish({ ...runner, approvals: approvalStore, slack }),
        external: externalAfterFinish({ config, do: doClient, ops, clock }),
      },
      ops,
    ),
  );
  const data = createDataServices({
    config,
    redis,
    do: doClient,
    audit,
    locks,
    approvals: approvalStore,
    slack,
    clock,
    log,
    schedules: options.schedules ?? true,
    targets,
    production: env.NODE_ENV === 'production',
    replicaId,
  });
  approvals = createApprovalService({
    store: approvalStore,
    audit,
    slack,
    groups,
    config,
    clock,
    log,
    executors: createExecutors({ ...runner, config, slack, backups: data.backups }),
    intents,
  });
  const anchoring = anchorStore
    ? createAnchoring({
        redis,
        store: anchorStore,
        slack,
        channel: config.channels.ops,
        clock,
        log,
        ...(anchorOptions?.every ? { every: anchorOptions.every } : {}),
      })
    : undefined;
  const recovery = createRecovery({
    intents,
    approvals: approvalStore,
    do: doClient,
    follower,
    slack,
    audit,
    log,
    clock,
    finishApproval: (id, ok, outcome) => approvals?.finish(id, ok, outcome) ?? Promise.resolve(),
    auditRecoveredApproval: (request) => approvals?.auditRecoveredApproval(request) ?? Promise.resolve(),
    ...(options.createWindowMs !== undefined ? { createWindowMs: options.createWindowMs } : {}),
    releases: targets.releases,
  });

  const outOfBandOptions = options.outOfBand === false ? undefined : (options.outOfBand ?? {});
  const outOfBand =
    outOfBandOptions &&
    createOutOfBand({
      options: outOfBandOptions,
      config,
      doOptions,
      do: doClient,
      redis,
      intents: intents.store,
      follow: () => follower.resume(),
      clock,
      log,
      replicaId,
    });

  const commandList: RegisteredCommand[] = [
    register(deployCommand({ ...runner, approvals }), ['deploy']),
    register(promoteCommand({ ...runner, approvals }), ['promote']),
    register(rollbackCommand({ ...runner, approvals }), ['rollback']),
    register(queryCommand({ pools: data.pools, clock }), ['query']),
    register(
      createBackupCommand({
        backups: data.backups,
        clock,
        requestApproval: async ({ required: _required, ...request }) => approvals?.request(request),
      }),
      ['backup', 'restore'],
    ),
    register(createHealthCommand({ health: data.health, clock }), []),
    register(auditCommand({ audit }), ['audit']),
    register(lockCommand({ locks, clock }), ['deploy', 'lock']),
    register(unlockCommand({ locks }), ['deploy', 'lock']),
    register(logsCommand({ do: doClient, ops }), ['logs']),
    register(restartCommand({ ...runner, approvals }), ['restart']),
  ];
  const commands = new Map(commandList.map((c) => [c.name, c]));
  const respondTo = createResponseUrlPoster({ slack, log });
  const dispatchDeps = {
    config,
    commands,
    audit,
    groups,
    slack,
    metrics,
    log,
    respondTo,
  };
  registerCommands(app, dispatchDeps);
  registerCommandButtons(app, { ...dispatchDeps, dedupe });
  registerApprovalActions(app, { service: approvals, dedupe, slack, log });

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
    ops,
    targets,
    audit,
    locks,
    slack,
    follower,
    recovery,
    anchoring,
    approvals,
    metrics,
    scheduler: data.scheduler,
    outOfBand,
    commands,
    get port() {
      return receiver.port;
    },
    async start() {
      await connectRedis(redis, env.REDIS_URL);
      await app.init();
      if (socketMode) await receiver.start();
      await app.start();
      // Background loops: each step is caught and logged on its own, so one failing (Redis
      // refusing writes, DigitalOcean down) neither stops the others nor reaches the process.
      const background = (task: string, work: () => Promise<unknown>) =>
        Promise.resolve()
          .then(work)
          .catch((err: unknown) =>
            log.warn({ err, task }, 'background task failed; it runs again on the next tick'),
          );
      await background('recovery', () => recovery.sweep());
      await background('resume', () => follower.resume());
      await data.start();
      // Liveness, leases, intents and unfollowed deployments on one tick: with 5 s leases and
      // a 2 s tick, another replica takes over a dead one's work within 10 s.
      timers.push(
        setInterval(() => {
          void (async () => {
            await background('renew', () => follower.renew());
            await background('recovery', () => recovery.sweep());
            await background('resume', () => follower.resume());
          })();
        }, options.recoveryTickMs ?? 2000),
      );
      if (outOfBand && outOfBandOptions) {
        // The first look is the baseline; taken at once (not awaited: a slow DigitalOcean must
        // not hold start-up), so what starts after start-up is news.
        void background('out-of-band watch', () => outOfBand.tick());
        const every = outOfBandOptions.tickMs ?? DEFAULT_TICK_MS;
        timers.push(setInterval(() => void background('out-of-band watch', () => outOfBand.tick()), every));
      }
      if (anchoring) {
        const every = anchorOptions?.tickMs ?? 60_000;
        timers.push(setInterval(() => void background('audit anchor', () => anchoring.tick()), every));
      }
      // Every replica sweeps; the store expires each request exactly once.
      timers.push(
        setInterval(
          () => void background('expiry', async () => approvals?.expireDue()),
          options.expirySweepMs ?? 15_000,
        ),
      );
      log.info({ port: receiver.port, mode: socketMode ? 'socket' : 'http', replicaId }, 'dockside started');
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await app.stop().catch(() => undefined);
      // Longer than one DigitalOcean call (15 s), so a create in flight gets its answer and
      // its watch record; what still runs after that is recovered by another replica.
      const drained = Promise.allSettled([...inFlight]);
      await Promise.race([drained, sleep(options.drainMs ?? 20_000)]);
      await Promise.race([respondTo.drain(), sleep(5000)]);
      await follower.stop();
      await data.stop();
      if (socketMode) await receiver.stop();
      redis.disconnect();
    },
  };
}
