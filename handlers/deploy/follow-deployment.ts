import { sleep as realSleep } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import { type DeploymentView, deploymentMessage } from '../../src/render/deployment.js';
import { createThrottledUpdater } from '../../src/slack/web-poster.js';
import { createFinisher } from './follow-finish.js';
import { leaseWhileRedisRecovers, type PatientRedis } from './follow-redis.js';
import type { FollowerDeps } from './follow-types.js';
import { createThreadReplies } from './thread-replies.js';
import { watchDeployment } from './watch.js';
import type { WatchRecord } from './watchers.js';

export type { AfterFinish, AfterFinishResult, FinishedDeployment, FollowerDeps } from './follow-types.js';

export const DEFAULT_LEASE_MS = 5000;

/**
 * Keeps a deployment's Slack message up to date until it ends, then verifies it
 * (health URLs, jobs, the runtime-log window: handlers/deploy/verify) and records the
 * result. The record lives in Redis and a lease
 * decides which replica follows it, so a restart (or a second replica) resumes it.
 * The record is removed only once the final message was accepted by Slack.
 */
export function createDeploymentFollower(deps: FollowerDeps) {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const sleep = deps.sleep ?? realSleep;
  const active = new Set<string>();
  const running = new Set<Promise<void>>();
  let stopping = false;
  const patient: PatientRedis = {
    watchers: deps.watchers,
    now: () => deps.clock.now(),
    sleep,
    stopping: () => stopping,
  };
  const thread = createThreadReplies({
    watchers: deps.watchers,
    slack: deps.slack,
    sleep,
    replicaId: deps.replicaId,
    now: () => deps.clock.now(),
    ...(deps.replyLeaseMs !== undefined ? { replyLeaseMs: deps.replyLeaseMs } : {}),
  });
  const finisher = createFinisher(deps, sleep, patient, thread);

  /** Never rejects: it runs in the background, and anything that fails leaves the record for a retry. */
  function followInBackground(record: WatchRecord): void {
    const work = follow(record).catch((err: unknown) =>
      deps.log.error({ err, deploymentId: record.deploymentId }, 'following the deployment failed'),
    );
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  async function follow(record: WatchRecord): Promise<void> {
    if (active.has(record.deploymentId) || stopping) return;
    active.add(record.deploymentId);
    const log = deps.log.child({ app: record.app, env: record.env, deploymentId: record.deploymentId });
    try {
      if (!(await leaseWhileRedisRecovers(patient, record, deps.replicaId, leaseMs, log))) return;
      if (record.final) {
        await finisher.finishDelivered(record, record.final, log);
        return;
      }
      if (!record.message.ts) await postProgress(record, log);
      await followToEnd(record, log);
    } catch (err) {
      log.error({ err }, 'following the deployment failed');
      // The record stays in Redis: the next resume() (here or on another replica) picks it up.
    } finally {
      active.delete(record.deploymentId);
    }
  }

  /** The first progress message could not be posted when the deployment started: post one now. */
  async function postProgress(record: WatchRecord, log: Logger): Promise<void> {
    const channel = record.channel;
    if (!channel) return;
    try {
      record.message = await deps.slack.post(channel, deploymentMessage({ record, now: deps.clock.now() }));
      await deps.watchers.save(record);
    } catch (err) {
      log.warn({ err }, 'could not post the deployment message; will try again at the end');
    }
  }

  async function followToEnd(record: WatchRecord, log: Logger): Promise<void> {
    const updater = createThrottledUpdater(deps.slack, record.message, {
      minIntervalMs: deps.updateIntervalMs ?? 3000,
      onError: (err) => log.warn({ err }, 'could not update the deployment message'),
    });
    const view = (extra: Partial<DeploymentView>): DeploymentView => ({
      record,
      now: deps.clock.now(),
      ...extra,
    });
    let handedOver = false;
    const keepGoing = async () => {
      if (stopping) {
        handedOver = true;
        return false;
      }
      try {
        handedOver = !(await deps.watchers.lease(record.deploymentId, deps.replicaId, leaseMs));
        // Between polls: a reply another replica claimed and did not get to post, once stale.
        if (!handedOver) await thread.recover(record, log);
      } catch (err) {
        // Redis is down: nobody can take over meanwhile, and a Redis that comes back empty
        // no longer has the record, so this replica is the only one that can finish it.
        log.warn({ err }, 'could not renew the lease; following on');
        handedOver = false;
      }
      return !handedOver;
    };
    const limit = deps.followLimitMs ?? 60 * 60_000;
    const watched = record.verify
      ? // Verification was under way when this replica took over: the deployment went live already.
        { deployment: await deps.do.getDeployment(record.appId, record.deploymentId), timedOut: false }
      : await watchDeployment({
          do: deps.do,
          appId: record.appId,
          deploymentId: record.deploymentId,
          ...((record.pollMs ?? deps.pollMs) !== undefined ? { pollMs: record.pollMs ?? deps.pollMs } : {}),
          timeoutMs: Math.max(0, Date.parse(record.startedAt) + limit - deps.clock.now()),
          onChange: async (d) => {
            if (!record.message.ts) return;
            updater.update(deploymentMessage(view({ deployment: d })));
            await thread.progress(record, d, deps.clock.now(), log);
          },
          keepGoing,
        }).finally(() => updater.stop());
    const finished = handedOver
      ? undefined
      : await finisher.conclude(record, watched.deployment, watched.timedOut, log, keepGoing);
    if (!finished) {
      // Shutting down, or another replica took over: the record stays for whoever resumes it.
      await deps.watchers.release(record.deploymentId, deps.replicaId).catch(() => undefined);
      return;
    }
    await finisher.settle(record, finished, log);
  }

  return {
    /**
     * Saves the record (removing the intent it came from in the same transaction), then
     * follows it in the background. Throws only when the record could not be saved.
     */
    async start(record: WatchRecord, intentId?: string): Promise<void> {
      await deps.watchers.save(record, intentId);
      followInBackground(record);
    },
    /** As start(), when Redis just refused the record: tries again for two minutes. */
    async startWhenRedisIsBack(record: WatchRecord, intentId?: string): Promise<void> {
      const deadline = deps.clock.now() + 120_000;
      for (;;) {
        try {
          await deps.watchers.save(record, intentId);
          break;
        } catch (err) {
          if (deps.clock.now() > deadline || stopping) throw err;
          await sleep(1000);
        }
      }
      followInBackground(record);
    },
    /** Picks up deployments nobody follows (after a restart, or a replica that died). */
    async resume(): Promise<number> {
      const records = await deps.watchers.list();
      const free = records.filter((r) => !active.has(r.deploymentId));
      for (const r of free) followInBackground(r);
      return free.length;
    },
    /** Stops following (on shutdown) and releases the leases, leaving the records for another replica. */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(
        [...active].map((id) => deps.watchers.release(id, deps.replicaId).catch(() => undefined)),
      );
    },
    /**
     * Renews the leases of what this replica follows, on the recovery tick (every 2 s),
     * so a lease can be short (fast takeover) even when one poll of DigitalOcean is slow.
     */
    async renew(): Promise<void> {
      await Promise.all(
        [...active].map((id) =>
          deps.watchers
            .lease(id, deps.replicaId, leaseMs)
            .catch((err: unknown) => deps.log.warn({ err, deploymentId: id }, 'could not renew a lease')),
        ),
      );
    },
    /** Waits for the background work in flight (tests, and a graceful stop). */
    async idle(): Promise<void> {
      await Promise.allSettled([...running]);
    },
    get following(): number {
      return active.size;
    },
  };
}

export type DeploymentFollower = ReturnType<typeof createDeploymentFollower>;
