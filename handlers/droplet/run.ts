import type { AuditLog } from '../../src/audit/types.js';
import type { Clock } from '../../src/clock.js';
import { DocksideError, isDocksideError, isRefusal } from '../../src/errors.js';
import type { RunIntent } from '../../src/intents.js';
import type { LockStore } from '../../src/locks/types.js';
import type { Logger } from '../../src/logger.js';
import { outcomeSummary } from '../../src/render/droplet-rollout.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { ActionContext } from '../deploy/actions.js';
import type { IntentRuntime } from '../deploy/runners.js';
import { assertUnlocked } from '../deploy/start.js';
import type { ReleasePlan, RolloutEvent, RolloutResult } from '../deploy/target.js';
import type { DeployTargets } from '../deploy/targets.js';
import { createProgress } from './run-progress.js';

export interface DropletRunDeps {
  targets: Pick<DeployTargets, 'droplet'>;
  locks: LockStore;
  audit: AuditLog;
  intents: IntentRuntime;
  /** Edits the rollout's line and posts in its thread. */
  slack: Pick<SlackPoster, 'post' | 'update'>;
  clock: Clock;
  log: Logger;
  /** Least time between two sends to the line and its thread (default 1 s). */
  progressIntervalMs?: number;
}

/** A Droplet run reports like any action (handlers/deploy/actions.ts). */
export type DropletRunContext = ActionContext;

const DEFAULT_INTERVAL_MS = 1000;

function describeStep(event: RolloutEvent): string {
  return event.host ? `${event.step} on ${event.host}` : event.step;
}

/** One line for audit entries and approval cards: what the release is, by digest. */
export function releaseLine(plan: ReleasePlan): string {
  const services = plan.release.services.map((s) => `${s.service}=${s.digest}${s.tag ? ` (${s.tag})` : ''}`);
  return `${plan.kind} release ${plan.release.id}: ${services.join(', ')}`;
}

/**
 * Carries out a Droplet plan of any kind (deploy, rollback, promote) from a command or an
 * approved request: refuses a locked env; writes a run intent (so a replica that takes
 * over after a crash reports the rollout interrupted instead of re-running it blindly)
 * and the audit entry before anything reaches a host ("no audit, no action"); follows
 * the rollout in one channel line and its thread; then writes the outcome to the audit log. The target
 * itself refuses a second rollout of the env and a plan that went stale, and keeps the
 * release log (with the audit id).
 */
export async function runDropletPlan(
  deps: DropletRunDeps,
  plan: ReleasePlan,
  context: DropletRunContext,
): Promise<RolloutResult> {
  const { app, env, kind } = plan;
  const target = deps.targets.droplet(app, env);
  const log = deps.log.child({ app, env, kind, releaseId: plan.release.id, target: 'droplets' });
  await assertUnlocked(deps.locks, { app, env });

  const { store, replicaId, working } = deps.intents;
  const fields = {
    kind,
    user: context.user,
    channel: context.channel ?? '',
    app,
    env,
    target: 'droplets' as const,
    releaseId: plan.release.id,
    ...(context.command ? { command: context.command } : {}),
  };
  const existing = context.approvalId ? await store.update(context.approvalId, fields) : null;
  const intent: RunIntent =
    existing ??
    (await store.create({
      ...fields,
      owner: replicaId,
      ...(context.auditRef ? { auditRef: context.auditRef } : {}),
      ...(context.approvalId ? { id: context.approvalId, approvalId: context.approvalId } : {}),
    }));
  // An approved request is already marked as worked on by the approval service, which
  // still has to finish it after this returns: only a mark of our own is ours to remove,
  // or this replica's sweeper could take its own finished rollout for an interrupted one.
  const marked = !working.has(intent.id);
  if (marked) working.add(intent.id);
  // An approval's intent goes with the approval's outcome (the approval store removes it).
  const done = async () => {
    if (!context.approvalId) {
      await store
        .remove(intent.id)
        .catch((err: unknown) => log.warn({ err }, 'could not remove a run intent'));
    }
  };
  try {
    let started: Awaited<ReturnType<AuditLog['append']>>;
    try {
      started = await deps.audit.append({
        actor: context.user,
        ...(context.channel ? { channel: context.channel } : {}),
        ...(context.command ? { command: context.command } : {}),
        action: `${kind}.rollout`,
        app,
        env,
        result: 'started',
        detail: releaseLine(plan),
        data: {
          target: 'droplets',
          releaseId: plan.release.id,
          ...(context.approvalId ? { approvalId: context.approvalId } : {}),
        },
        ...(context.auditRef ? { ref: context.auditRef } : {}),
      });
    } catch (err) {
      await done();
      throw err;
    }
    const outcome = (entry: { result: 'succeeded' | 'failed' | 'refused'; detail: string }) =>
      deps.audit
        .append({
          actor: 'dockside',
          ...(context.channel ? { channel: context.channel } : {}),
          ...(context.command ? { command: context.command } : {}),
          action: `${kind}.result`,
          app,
          env,
          ...entry,
          data: { target: 'droplets', releaseId: plan.release.id },
          ref: started.id,
        })
        .catch((err: unknown) => log.error({ err }, 'could not audit the outcome of a rollout'));

    // From here hosts may change: a replica that takes over must say so, not "nothing was done".
    // Without that note in Redis, a crash would go unreported: then nothing runs.
    const noted = await store
      .update(intent.id, {
        stage: 'creating',
        creatingAt: new Date(deps.clock.now()).toISOString(),
        auditRef: started.id,
      })
      .catch((err: unknown) => {
        log.error({ err }, 'could not mark the run intent of a rollout');
        return null;
      });
    if (!noted) {
      const err = new DocksideError(
        'redis_unavailable',
        `The rollout of ${app} ${env} could not be recorded in Redis, so no host was touched.`,
        { hint: 'Check that Redis is reachable (GET /health) and try again.' },
      );
      await outcome({ result: 'failed', detail: `${err.code}: ${err.message}` });
      await done();
      throw err;
    }

    const progress = createProgress(
      {
        clock: deps.clock,
        log,
        post: context.post,
        slack: deps.slack,
        intervalMs: deps.progressIntervalMs ?? DEFAULT_INTERVAL_MS,
        onPosted: async (message) => {
          await store.update(intent.id, { message });
        },
      },
      {
        kind,
        app,
        env,
        user: context.user,
        releaseId: plan.release.id,
        changes: plan.changes,
        ...(context.command ? { command: context.command } : {}),
        startedAt: deps.clock.now(),
        ...(context.lines ? { lines: context.lines } : {}),
      },
    );
    const hostsDone: string[] = [];
    const onEvent = async (event: RolloutEvent) => {
      progress.event(event);
      if (event.step === 'host_done' && event.host) hostsDone.push(event.host);
      // What a replica that takes over can tell: how far this got.
      await store
        .update(intent.id, { lastStep: describeStep(event), hostsDone })
        .catch((err: unknown) => log.warn({ err }, 'could not record rollout progress'));
    };

    try {
      await progress.start();
    } catch (err) {
      // A command in a channel dockside cannot post in: nothing is started that nobody could follow.
      if (isDocksideError(err, 'not_in_channel')) {
        await outcome({ result: 'refused', detail: `${err.code}: ${err.message}` });
        await done();
        throw err;
      }
      log.warn({ err }, 'could not post the rollout message; trying again as the rollout goes');
    }
    let result: RolloutResult;
    try {
      result = await target.deploy(plan, { by: context.user, auditId: started.id, onEvent });
    } catch (err) {
      const refused = isRefusal(err);
      const text = err instanceof Error ? err.message : String(err);
      // The line and its thread get the reason; the caller also answers the person.
      await progress.finish({ error: text });
      await outcome({
        result: refused ? 'refused' : 'failed',
        detail: isDocksideError(err) ? `${err.code}: ${err.message}` : 'internal error',
      });
      await done();
      throw err;
    }
    await progress.finish({ result });
    await outcome({ result: result.ok ? 'succeeded' : 'failed', detail: outcomeSummary(app, env, result) });
    log.info(
      { ok: result.ok, failedHost: result.failedHost, updated: result.updated },
      'droplet rollout ended',
    );
    await done();
    return result;
  } finally {
    if (marked) working.delete(intent.id);
  }
}
