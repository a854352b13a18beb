import type { Redis } from 'ioredis';
import type { ApprovalStore } from '../approvals/types.js';
import { externalAfterFinish } from '../handlers/announce/index.js';
import { createAfterFinish } from '../handlers/deploy/after-finish.js';
import { explainingFailures } from '../handlers/deploy/after-finish-failure.js';
import { type AfterFinish, createDeploymentFollower } from '../handlers/deploy/follow-deployment.js';
import type { IntentRuntime } from '../handlers/deploy/runners.js';
import { createDeployTargets } from '../handlers/deploy/targets.js';
import { verifyPlans } from '../handlers/deploy/verify/settings.js';
import { createWatcherStore } from '../handlers/deploy/watchers.js';
import { checkHealthUrl } from '../handlers/health/http-check.js';
import type { DocksideOptions } from './app-types.js';
import type { AuditLog } from './audit/types.js';
import { type Clock, sleep } from './clock.js';
import type { AppOpsClient } from './do/app-ops-port.js';
import type { DoClientOptions } from './do/client.js';
import { createDropletApi } from './do/droplets.js';
import type { DoClient } from './do/port.js';
import type { GitHubClient } from './github/client.js';
import type { ExclusiveLockStore } from './locks/types.js';
import type { SlackPoster } from './slack/reply.js';

/**
 * The deploy side of the composition root: the crash-safe follower, the steps after a
 * deployment ends, and each env's deploy target, which the commands, approvals and the
 * summary are handed.
 */
export function createDeployWiring(deps: {
  options: DocksideOptions;
  redis: Redis;
  doClient: DoClient;
  doOptions: DoClientOptions;
  ops: AppOpsClient;
  slack: SlackPoster;
  audit: AuditLog;
  locks: ExclusiveLockStore;
  intents: IntentRuntime;
  github: GitHubClient;
  approvalStore: ApprovalStore;
  clock: Clock;
  replicaId: string;
  /** Ends an approval when its deployment ends (the approval service is built after this). */
  finishApproval: (id: string, ok: boolean, summary: string) => Promise<void>;
}) {
  const { options, redis, doClient, doOptions, ops, slack, audit, locks, intents, github, clock } = deps;
  const { config, log } = options;
  // The follower and the post-deployment steps need each other; the steps are filled in below.
  const afterFinish: Record<string, AfterFinish> = {};
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
    replicaId: deps.replicaId,
    afterFinish,
    ops,
    verifyPlan: verifyPlans(config),
    healthTimeoutMs: config.health.timeout_ms,
    ...(options.finalRetryMs !== undefined ? { finalRetryMs: options.finalRetryMs } : {}),
    onFinished: async (record, ok, summary) => {
      if (record.approvalId) await deps.finishApproval(record.approvalId, ok, summary);
    },
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.updateIntervalMs !== undefined ? { updateIntervalMs: options.updateIntervalMs } : {}),
  });
  const runs = {
    ops,
    locks,
    follower,
    github,
    intents,
    audit,
    slack,
    // Droplet rollout messages are updated as often as App Platform's.
    ...(options.updateIntervalMs !== undefined ? { progressIntervalMs: options.updateIntervalMs } : {}),
  };
  const targets = createDeployTargets({
    config,
    redis,
    droplets: createDropletApi(doOptions),
    do: doClient,
    log,
    clock,
    sleep,
    probeHealth: (url) => checkHealthUrl(url, config.health.timeout_ms),
    runs,
    ...(options.dropletHealthPollMs !== undefined ? { healthPollMs: options.dropletHealthPollMs } : {}),
  });
  const runner = { ...runs, do: doClient, clock, log, targets };
  Object.assign(
    afterFinish,
    explainingFailures(
      {
        ...createAfterFinish({ ...runner, approvals: deps.approvalStore, slack }),
        external: externalAfterFinish({ config, do: doClient, ops, clock }),
      },
      ops,
    ),
  );
  return { follower, targets, runner };
}
