import type { KnownBlock } from '@slack/types';
import { failureReason, watchDeployment, wentLive } from '../handlers/deploy/watch.js';
import type { AuditLog } from './audit/types.js';
import type { Clock } from './clock.js';
import type { Deployment, DoClient } from './do/port.js';
import type { Logger } from './logger.js';
import { type DeploymentView, deploymentMessage, type HealthProbeResult } from './render/deployment.js';
import { escapeText, formatDuration } from './render/format.js';
import type { SlackPoster } from './slack/reply.js';
import { createThrottledUpdater } from './slack/web-poster.js';
import type { WatcherStore, WatchRecord } from './watchers.js';

export interface FinishedDeployment {
  record: WatchRecord;
  deployment: Deployment;
  ok: boolean;
  timedOut: boolean;
  health?: HealthProbeResult;
}

/** What a kind of deployment adds when it ends (promotion checks, rollback offers). */
export interface AfterFinishResult {
  lines?: string[];
  actions?: KnownBlock;
  ok?: boolean;
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
  leaseMs?: number;
  afterFinish?: Record<string, AfterFinish>;
  /** Told once the deployment's outcome is known (e.g. to close the approval it carried out). */
  onFinished?: (record: WatchRecord, ok: boolean, summary: string) => Promise<void>;
}

/**
 * Keeps a deployment's Slack message up to date until it ends, then checks the
 * env's health URL and records the result. The record lives in Redis and a lease
 * decides which replica follows it, so a restart (or a second replica) resumes it.
 */
export function createDeploymentFollower(deps: FollowerDeps) {
  const leaseMs = deps.leaseMs ?? 30_000;
  const active = new Set<string>();
  let stopping = false;

  async function follow(record: WatchRecord): Promise<void> {
    if (active.has(record.deploymentId)) return;
    if (!(await deps.watchers.lease(record.deploymentId, deps.replicaId, leaseMs))) return;
    active.add(record.deploymentId);
    const log = deps.log.child({ app: record.app, env: record.env, deploymentId: record.deploymentId });
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
      handedOver = stopping || !(await deps.watchers.lease(record.deploymentId, deps.replicaId, leaseMs));
      return !handedOver;
    };
    try {
      const { deployment, timedOut } = await watchDeployment({
        do: deps.do,
        appId: record.appId,
        deploymentId: record.deploymentId,
        ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
        onChange: (d) => updater.update(deploymentMessage(view({ deployment: d }))),
        keepGoing,
      });
      if (handedOver) {
        // Shutting down, or another replica took over: the record stays for whoever resumes it.
        await deps.watchers.release(record.deploymentId, deps.replicaId).catch(() => undefined);
        return;
      }
      const finished = await conclude(record, deployment, timedOut);
      const extra: AfterFinishResult | undefined = await deps.afterFinish?.[record.kind]?.(finished).catch(
        (err: unknown) => {
          log.error({ err }, 'after-deployment step failed');
          return {
            lines: [':warning: The step after the deployment failed; see the dockside log.'],
            ok: false,
          };
        },
      );
      const ok = extra?.ok ?? finished.ok;
      const lines = [...outcomeLines(finished), ...(extra?.lines ?? [])];
      await updater.flush(
        deploymentMessage(
          view({ deployment, outcome: { ok, lines }, ...(extra?.actions ? { actions: extra.actions } : {}) }),
        ),
      );
      await deps.audit
        .append({
          actor: 'dockside',
          action: `${record.kind}.result`,
          app: record.app,
          env: record.env,
          result: ok ? 'succeeded' : 'failed',
          detail: lines.join(' ').slice(0, 300),
          durationMs: deps.clock.now() - Date.parse(record.startedAt),
          doIds: { appId: record.appId, deploymentId: record.deploymentId },
          ...(record.auditRef ? { ref: record.auditRef } : {}),
        })
        .catch((err: unknown) => log.error({ err }, 'could not audit a deployment result'));
      await deps
        .onFinished?.(record, ok, lines[0] ?? '')
        .catch((err: unknown) => log.error({ err }, 'could not record the outcome'));
      await deps.watchers.remove(record.deploymentId);
    } catch (err) {
      log.error({ err }, 'following the deployment failed');
      // The record stays in Redis: the next resume() (here or on another replica) picks it up.
    } finally {
      active.delete(record.deploymentId);
    }
  }

  async function conclude(
    record: WatchRecord,
    deployment: Deployment,
    timedOut: boolean,
  ): Promise<FinishedDeployment> {
    if (!wentLive(deployment)) return { record, deployment, ok: false, timedOut };
    // A newer deployment serves now: the health URL would check that one, not this.
    if (!record.healthUrl || deployment.phase === 'SUPERSEDED')
      return { record, deployment, ok: true, timedOut };
    const health = await deps.probeHealth(record.healthUrl);
    return { record, deployment, ok: health.ok, timedOut, health };
  }

  function outcomeLines(f: FinishedDeployment): string[] {
    const took = formatDuration(deps.clock.now() - Date.parse(f.record.startedAt));
    if (f.timedOut)
      return [`:warning: Still ${f.deployment.phase} after ${took}; dockside stopped following it.`];
    switch (f.deployment.phase) {
      case 'ACTIVE': {
        const lines = [`Live after ${took}.`];
        if (f.health)
          lines.push(`${f.health.ok ? ':large_green_circle:' : ':red_circle:'} Health: ${f.health.summary}`);
        else lines.push('No health_url configured for this env, so no health check ran.');
        return lines;
      }
      case 'SUPERSEDED':
        if (wentLive(f.deployment)) {
          return [
            `Live after ${took}, then a newer deployment replaced it; that one serves now and its own message reports its health.`,
          ];
        }
        return [`Replaced by a newer deployment after ${took}, before it went live.`];
      case 'ERROR':
        return [
          `Failed after ${took}: ${escapeText(failureReason(f.deployment))}`,
          'The previous deployment keeps serving.',
        ];
      case 'CANCELED':
        return [
          `Canceled after ${took}: ${escapeText(f.deployment.cause || 'canceled')}.`,
          'The previous deployment keeps serving.',
        ];
      default:
        return [`Ended as ${f.deployment.phase} after ${took}.`];
    }
  }

  return {
    /** Saves the record, then follows it in the background. */
    async start(record: WatchRecord): Promise<void> {
      await deps.watchers.save(record);
      void follow(record);
    },
    /** Picks up deployments nobody follows (after a restart, or a replica that died). */
    async resume(): Promise<number> {
      const records = await deps.watchers.list();
      const free = records.filter((r) => !active.has(r.deploymentId));
      for (const r of free) void follow(r);
      return free.length;
    },
    /** Stops following (on shutdown) and releases the leases, leaving the records for another replica. */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(
        [...active].map((id) => deps.watchers.release(id, deps.replicaId).catch(() => undefined)),
      );
    },
    get following(): number {
      return active.size;
    },
  };
}

export type DeploymentFollower = ReturnType<typeof createDeploymentFollower>;
