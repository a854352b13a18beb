import type { Clock } from '../../src/clock.js';
import { isOutcomeUnknown } from '../../src/do/errors.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { GitHubClient } from '../../src/github/client.js';
import type { IntentKind, IntentStore, RunIntent } from '../../src/intents.js';
import type { LockStore } from '../../src/locks/types.js';
import type { Logger } from '../../src/logger.js';
import { deploymentMessage } from '../../src/render/deployment.js';
import type { MessageRef, SlackMessage } from '../../src/slack/reply.js';
import type { DeploymentFollower } from './follow-deployment.js';
import { watchRecordFrom } from './watchers.js';

/** The intents of this replica, and which of them it is working on right now (the sweeper leaves those alone). */
export interface IntentRuntime {
  store: IntentStore;
  replicaId: string;
  working: Set<string>;
}

/**
 * Operations that start a deployment and hand it to the follower, used both by
 * commands (staging) and by approved requests (production). The caller says where
 * the progress message goes.
 */
export interface RunnerDeps {
  do: DoClient;
  locks: LockStore;
  follower: DeploymentFollower;
  clock: Clock;
  intents: IntentRuntime;
  log: Logger;
  github?: GitHubClient;
}

export interface EnvTarget {
  app: string;
  env: string;
  appId: string;
  healthUrl?: string;
  autoRollback?: boolean;
}

export interface RunContext {
  user: string;
  /** Channel the work was asked from: where a late outcome goes when the progress message is gone. */
  channel?: string;
  /** Posts the progress message (in the channel the request came from). */
  post: (message: SlackMessage) => Promise<MessageRef>;
  auditRef?: string;
  approvalId?: string;
  command?: string;
  /** Lines for the first reply in the thread (e.g. who approved); mrkdwn-safe already. */
  lines?: string[];
}

export interface Started {
  detail: string;
  deployment: Deployment;
  doIds: Record<string, string>;
  /** Saving its watch record goes on in the background (Redis was down). */
  background?: boolean;
}

type CreateHooks = { before: () => Promise<void> };

/** The DigitalOcean client with its creating calls preceded by `before` (which marks the intent `creating`). */
function guardCreates(client: DoClient, hooks: CreateHooks): DoClient {
  const creating =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await hooks.before();
      return call(...args);
    };
  return {
    ...client,
    createDeployment: creating(client.createDeployment.bind(client)),
    updateAppSpec: creating(client.updateAppSpec.bind(client)),
    rollback: creating(client.rollback.bind(client)),
    revertRollback: creating(client.revertRollback.bind(client)),
    restoreDatabaseBackup: creating(client.restoreDatabaseBackup.bind(client)),
  };
}

/**
 * Runs `create` under a durable intent: written (or, for an approval, already written by
 * the approve transition) before anything is sent, marked `creating` just before the
 * creating call, and replaced by the watch record once the deployment id is known. If
 * this replica dies anywhere in between, handlers/deploy/recovery.ts on any replica finishes the job.
 */
export async function launch(
  deps: RunnerDeps,
  target: EnvTarget,
  run: RunContext,
  kind: IntentKind,
  create: (
    doClient: DoClient,
    creating: () => Promise<void>,
  ) => Promise<{ deployment: Deployment; lines?: string[] }>,
  causeHint?: string,
): Promise<Started> {
  const { store, replicaId, working } = deps.intents;
  const fields = {
    kind,
    owner: replicaId,
    user: run.user,
    channel: run.channel ?? '',
    app: target.app,
    env: target.env,
    appId: target.appId,
    ...(run.command ? { command: run.command } : {}),
    ...(run.auditRef ? { auditRef: run.auditRef } : {}),
    ...(target.healthUrl ? { healthUrl: target.healthUrl } : {}),
    ...(target.autoRollback ? { autoRollback: true } : {}),
    ...(causeHint ? { causeHint } : {}),
  };
  const existing = run.approvalId ? await store.get(run.approvalId) : null;
  const intent: RunIntent =
    existing ??
    (await store.create({
      ...fields,
      ...(run.approvalId ? { id: run.approvalId, approvalId: run.approvalId } : {}),
    }));
  working.add(intent.id);
  let handedOff = false;
  try {
    let sent = false;
    const markCreating = async () => {
      // What already exists, so a replica that has to find this create later knows which one is new.
      const existing = await deps.do.listDeployments(target.appId, { perPage: 10 }).catch(() => []);
      await store.update(intent.id, {
        ...fields,
        stage: 'creating',
        creatingAt: new Date(deps.clock.now()).toISOString(),
        existingIds: existing.map((d) => d.id),
      });
      sent = true;
    };
    const guarded = guardCreates(deps.do, { before: markCreating });
    let created: { deployment: Deployment; lines?: string[] };
    try {
      created = await create(guarded, markCreating);
    } catch (err) {
      if (sent && isOutcomeUnknown(err)) {
        throw new DocksideError(
          'outcome_unknown',
          `DigitalOcean did not say whether it started the ${kind} of ${target.app} ${target.env}${err instanceof Error ? ` (${err.message})` : ''}.`,
          {
            hint: 'dockside is checking with DigitalOcean and will follow the deployment here if it started; do not run the command again yet.',
            cause: err,
          },
        );
      }
      // Nothing was created. An approval's intent goes with the approval's outcome.
      if (!run.approvalId) await store.remove(intent.id).catch(() => undefined);
      throw err;
    }
    const lines = [...(run.lines ?? []), ...(created.lines ?? [])];
    const started = await handOver(deps, { ...intent, ...fields }, run, created.deployment, lines);
    handedOff = started.background === true;
    return started;
  } finally {
    if (!handedOff) working.delete(intent.id);
  }
}

/**
 * The deployment exists on DigitalOcean: from here nothing may tell the person that
 * nothing was done. Each step that fails leaves the intent for the sweeper instead.
 */
async function handOver(
  deps: RunnerDeps,
  intent: RunIntent,
  run: RunContext,
  deployment: Deployment,
  lines?: string[],
): Promise<Started> {
  const log = deps.log.child({ app: intent.app, env: intent.env, deploymentId: deployment.id });
  const record = watchRecordFrom(intent, deployment.id, { channel: '', ts: '' }, lines);
  const started = {
    deployment,
    doIds: { appId: record.appId, deploymentId: deployment.id },
    detail: `deployment ${deployment.id} started`,
  };
  try {
    await deps.intents.store.update(intent.id, { stage: 'created', deploymentId: deployment.id });
  } catch (err) {
    log.error({ err }, 'could not record the id of a deployment that started');
  }
  try {
    record.message = await run.post(deploymentMessage({ record, deployment, now: deps.clock.now() }));
  } catch (err) {
    log.warn({ err }, 'could not post the deployment message; the follower posts it');
  }
  try {
    await deps.follower.start(record, intent.id);
  } catch (err) {
    log.error({ err }, 'could not save the watch record of a deployment that started; retrying');
    // Keeps trying in the background, so the message the person has is the one that gets
    // the outcome; the intent stays claimed meanwhile (the sweeper leaves it alone).
    deps.intents.working.add(intent.id);
    void deps.follower
      .startWhenRedisIsBack(record, intent.id)
      .catch((retryErr: unknown) =>
        log.error({ err: retryErr }, 'gave up saving the watch record; the sweeper takes over'),
      )
      .finally(() => deps.intents.working.delete(intent.id));
    return {
      ...started,
      background: true,
      detail: `deployment ${deployment.id} started; dockside cannot reach Redis right now and will follow it here as soon as it can`,
    };
  }
  return started;
}
