import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { type ApprovalService, createApprovalService } from '../approvals/service.js';
import { registerApprovalActions } from '../approvals/slack.js';
import { createRedisApprovalStore } from '../approvals/store.js';
import { registerCommandButtons } from '../commands/buttons.js';
import { registerCommands } from '../commands/index.js';
import { createOutOfBand, DEFAULT_TICK_MS } from '../handlers/announce/index.js';
import { createExecutors } from '../handlers/deploy/executors.js';
import { createRecovery } from '../handlers/deploy/recovery.js';
import type { IntentRuntime } from '../handlers/deploy/runners.js';
import { createAnchoring, storageAnchorStore } from './audit/anchor.js';
import { createRedisAuditLog } from './audit/redis-audit-log.js';
import { sleep, systemClock } from './clock.js';
import { createDataServices } from './data-services.js';
import { createDedupe } from './dedupe.js';
import { createAppOpsClient } from './do/app-ops.js';
import { createDoClient, type DoCallInfo } from './do/client.js';
import { createGitHubClient } from './github/client.js';
import { createIntentStore } from './intents.js';
import { createRedisLockStore } from './locks/redis-lock-store.js';
import { createMetrics } from './metrics.js';
import { connectRedis, createRedis, redisHealth } from './redis.js';
import { registerConfiguredSecrets } from './secrets.js';
import { createSlackApp } from './slack/create-app.js';
import { dropRepeatedCommands, trackInFlight } from './slack/in-flight.js';
import { createResponseUrlPoster } from './slack/response-url.js';
import { createUsergroupDirectory } from './slack/usergroups.js';
import { createWebPoster } from './slack/web-poster.js';
import { createStorage } from './storage/index.js';

const VERSION = process.env.npm_package_version ?? '0.1.0';

import { buildCommands } from './app-commands.js';
import { createDeployWiring } from './app-deploy.js';
import { startLoops } from './app-loops.js';
import type { Dockside, DocksideOptions } from './app-types.js';

export type { Dockside, DocksideOptions } from './app-types.js';

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
  const inFlight = trackInFlight(app);
  dropRepeatedCommands(app, dedupe, log);
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
  let approvals: ApprovalService | undefined;
  const { follower, targets, runner } = createDeployWiring({
    options,
    redis,
    doClient,
    doOptions,
    ops,
    slack,
    audit,
    locks,
    intents,
    github,
    approvalStore,
    clock,
    replicaId,
    finishApproval: async (id, ok, summary) => {
      await approvals?.finish(id, ok, summary);
    },
  });
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

  const commandList = buildCommands({ runner, approvals, data, clock, audit, locks, do: doClient, ops });
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
      timers.push(
        ...(await startLoops({
          log,
          follower,
          recovery,
          startData: () => data.start(),
          ...(outOfBand && outOfBandOptions
            ? { outOfBand: { watcher: outOfBand, tickMs: outOfBandOptions.tickMs ?? DEFAULT_TICK_MS } }
            : {}),
          ...(anchoring ? { anchoring: { anchoring, tickMs: anchorOptions?.tickMs ?? 60_000 } } : {}),
          expireDue: async () => approvals?.expireDue(),
          recoveryTickMs: options.recoveryTickMs ?? 2000,
          expirySweepMs: options.expirySweepMs ?? 15_000,
        })),
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
