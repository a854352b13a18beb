import type { Clock } from '../../src/clock.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import { describeLock } from '../../src/locks/describe.js';
import type { Lock, LockStore } from '../../src/locks/types.js';
import { shortId } from '../../src/render/format.js';
import { validateRollback } from './validate.js';

export interface RollbackTarget {
  do: DoClient;
  locks: LockStore;
  appName: string;
  env: string;
  appId: string;
}

export interface RunRollbackInput extends RollbackTarget {
  deploymentId: string;
  /** Slack user id of whoever asked for the rollback. */
  user: string;
  clock: Clock;
}

export interface RollbackResult {
  /** The deployment App Platform created for the rollback. */
  deployment: Deployment;
  /** The deployment that was active before (the "from"). */
  previousDeploymentId: string;
  targetDeploymentId: string;
  warnings: string[];
  /** The automatic lock; absent when writing it failed (then `lockProblem` says so). */
  lock?: Lock;
  lockProblem?: string;
}

/** Marks locks that dockside took by itself after a rollback, so a revert may lift them. */
export const ROLLBACK_LOCK_BY = 'dockside';
const ROLLBACK_REASON = 'rolled back from';

/** dockside's own lock from a rollback, as opposed to one a person took (for an incident, a freeze). */
export function isRollbackLock(lock: Lock | null): boolean {
  return lock?.by === ROLLBACK_LOCK_BY && lock.reason.startsWith(ROLLBACK_REASON);
}

/** A revert deploys: a person's lock stops it like any deploy; dockside's rollback lock is its to lift. */
export async function refuseIfLockedByPerson(input: RollbackTarget): Promise<void> {
  const lock = await input.locks.get(input.appName, input.env);
  if (!lock || isRollbackLock(lock)) return;
  throw new DocksideError('env_locked', `${input.appName} ${input.env} is ${describeLock(lock)}.`, {
    hint: `Nothing was reverted. \`/unlock ${input.appName} ${input.env}\` first if the revert should go ahead.`,
  });
}

export async function runRollback(input: RunRollbackInput): Promise<RollbackResult> {
  const { appName, env, appId } = input;
  await refuseIfLocked(input);
  // Validated again: the app may have moved since the request was approved.
  const check = await validateRollback({
    do: input.do,
    appId,
    deploymentId: input.deploymentId,
    appName,
    env,
  });
  if (!check.valid) {
    throw new DocksideError('rollback_invalid', check.errorMessage ?? 'App Platform refuses this rollback.');
  }
  const from = check.activeDeploymentId ?? 'none';
  const to = check.deployment.id;
  const deployment = await input.do.rollback(appId, to);

  const lock: Lock = {
    app: appName,
    env,
    by: ROLLBACK_LOCK_BY,
    // The refusal that shows this reason already says how to unlock; the reason says what happened.
    reason: `${ROLLBACK_REASON} ${from === 'none' ? 'nothing' : shortId(from)} to ${shortId(to)}`,
    since: new Date(input.clock.now()).toISOString(),
  };
  const result = { deployment, previousDeploymentId: from, targetDeploymentId: to, warnings: check.warnings };
  try {
    await input.locks.lock(lock);
    return { ...result, lock };
  } catch (err) {
    // The rollback already happened: report it with the missing lock rather than as a failure.
    const why = err instanceof Error ? err.message : String(err);
    return {
      ...result,
      lockProblem: `The rollback ran, but ${appName} ${env} could not be locked (${why}). Lock it with /lock ${appName} ${env}.`,
    };
  }
}

export interface RollbackFollowUp {
  /** What happened, in one or two sentences. */
  message: string;
  /** The rollback deployment that was pinned. */
  pinnedDeploymentId: string;
}

/**
 * Keeps the rollback: App Platform unpins the app. dockside's lock stays until /unlock:
 * committing means the older version stays on purpose, and a deploy now would bring
 * back the version that was rolled away from.
 */
export async function commitRollback(input: RollbackTarget): Promise<RollbackFollowUp> {
  const pinned = await pinnedDeployment(input);
  await input.do.commitRollback(input.appId);
  const lock = await input.locks.get(input.appName, input.env);
  const label = `${input.appName} ${input.env}`;
  const lockWords = lock
    ? ` ${label} stays locked: a deploy now would bring back the code you rolled away from, so deploys wait until ` +
      `a fix is ready and someone runs \`/unlock ${label}\`.`
    : '';
  return {
    pinnedDeploymentId: pinned,
    message:
      `Kept rollback deployment \`${shortId(pinned)}\` on ${label} and unpinned the app: App Platform accepts new deployments ` +
      `again, including auto-deploy on push.${lockWords}`,
  };
}

export interface RevertResult extends RollbackFollowUp {
  /** The new deployment, built from the spec the app had before the rollback. */
  deployment: Deployment;
  /** True when dockside lifted the lock it took for the rollback. */
  unlocked: boolean;
}

/**
 * Undoes the rollback with a new deployment from the spec before it, and lifts dockside's
 * rollback lock (the env runs what it ran before, so the reason for the lock is gone).
 * A lock a person took stops it.
 */
export async function revertRollback(input: RollbackTarget): Promise<RevertResult> {
  await refuseIfLockedByPerson(input);
  const pinned = await pinnedDeployment(input);
  const deployment = await input.do.revertRollback(input.appId);
  const label = `${input.appName} ${input.env}`;
  const lock = await input.locks.get(input.appName, input.env);
  // Only our own rollback lock is lifted: a lock someone took by hand was taken for a reason we cannot see.
  const ours = isRollbackLock(lock);
  if (ours) await input.locks.unlock(input.appName, input.env);
  const lockWords = ours
    ? ` dockside lifted the lock it took for the rollback, since ${label} goes back to what it ran before.`
    : lock
      ? ` ${label} stays ${describeLock(lock)}`
      : '';
  return {
    deployment,
    pinnedDeploymentId: pinned,
    unlocked: ours,
    message:
      `Reverted the rollback of ${label}: deployment \`${shortId(deployment.id)}\` runs the spec from before the rollback, ` +
      `and the app is no longer pinned to \`${shortId(pinned)}\`.${lockWords}`,
  };
}

async function pinnedDeployment(input: RollbackTarget): Promise<string> {
  const app = await input.do.getApp(input.appId);
  const pinned = app.pinnedDeployment?.id;
  if (!pinned) {
    throw new DocksideError(
      'rollback_invalid',
      `${input.appName} ${input.env} is not pinned to a rollback, so there is nothing to commit or revert.`,
    );
  }
  return pinned;
}

async function refuseIfLocked(input: RunRollbackInput): Promise<void> {
  const lock = await input.locks.get(input.appName, input.env);
  if (!lock) return;
  throw new DocksideError('env_locked', `${input.appName} ${input.env} is ${describeLock(lock)}`, {
    hint: `\`/unlock ${input.appName} ${input.env}\` first if the rollback should go ahead.`,
  });
}
