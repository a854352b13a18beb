import type { ApprovalRequest, ApprovalStore } from '../../approvals/types.js';
import type { AuditLog } from '../../src/audit/types.js';
import type { Clock } from '../../src/clock.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import type { RunIntent } from '../../src/intents.js';
import type { Logger } from '../../src/logger.js';
import { deploymentMessage } from '../../src/render/deployment.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { ReleaseLog } from '../droplet/release-log.js';
import { concludeInterruptedRollout } from '../droplet/run-recovery.js';
import type { DeploymentFollower } from './follow-deployment.js';
import type { IntentRuntime } from './runners.js';
import { watchRecordFrom } from './watchers.js';

export interface RecoveryDeps {
  intents: IntentRuntime;
  approvals: ApprovalStore;
  do: DoClient;
  follower: DeploymentFollower;
  slack: SlackPoster;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  /** Closes an approval with its outcome (store, audit, card). */
  finishApproval(id: string, ok: boolean, outcome: string): Promise<void>;
  auditRecoveredApproval(request: ApprovalRequest): Promise<void>;
  /** How long a replica's liveness mark lasts; heartbeats come every third of it. */
  livenessMs?: number;
  /**
   * How long after a create was sent its deployment may take to show up in DigitalOcean's
   * list before dockside concludes none was created (the DO client's timeout, plus margin).
   */
  createWindowMs?: number;
  /** Droplet release logs: an interrupted rollout is marked there and its claim on the env released. */
  releases?: ReleaseLog;
}

export const DEFAULT_LIVENESS_MS = 5000;

/** Deployments App Platform starts by itself; a create of dockside's never looks like these. */
const NOT_OURS = /pushed to|auto.?deploy/i;

function looksCreatedBy(intent: RunIntent, d: Deployment): boolean {
  if (NOT_OURS.test(d.cause)) return false;
  if (intent.kind === 'rollback')
    return /rollback/i.test(d.cause) && (!intent.causeHint || d.cause.includes(intent.causeHint));
  if (intent.kind === 'revert') return /revert/i.test(d.cause);
  return !/rollback/i.test(d.cause);
}

/**
 * Every replica runs this. It marks the replica alive, and adopts the intents of
 * replicas that are not (killed, lost Redis, stopped mid-create), and those of its own
 * that nothing works on any more. For each it finds what was created on DigitalOcean
 * (by app, time and cause), hands it to the follower, or concludes plainly that nothing
 * was created and says so to the person and in the audit log.
 */
export function createRecovery(deps: RecoveryDeps) {
  const { store, replicaId, working } = deps.intents;
  const livenessMs = deps.livenessMs ?? DEFAULT_LIVENESS_MS;
  const createWindowMs = deps.createWindowMs ?? 30_000;

  async function adoptable(intent: RunIntent): Promise<RunIntent | null> {
    if (working.has(intent.id)) return null;
    if (intent.owner === replicaId) return intent;
    if (await store.alive(intent.owner)) return null;
    return store.adopt(intent.id, intent.owner, replicaId);
  }

  async function sweep(): Promise<number> {
    await store.heartbeat(replicaId, livenessMs);
    let resolved = 0;
    for (const found of await store.list()) {
      const intent = await adoptable(found);
      if (!intent) continue;
      working.add(intent.id);
      try {
        if (await resolve(intent)) resolved++;
      } catch (err) {
        deps.log.error(
          { err, intentId: intent.id, kind: intent.kind },
          'could not resolve an intent; will retry',
        );
      } finally {
        working.delete(intent.id);
      }
    }
    // Requests approved by an older dockside, which claimed the run in a second step.
    for (const request of await deps.approvals.listByState(['approved'])) {
      await deps.approvals.claimRun(request.id, { owner: replicaId, now: deps.clock.now() });
    }
    return resolved;
  }

  /** True when the intent is settled (followed or concluded); false to look again on the next sweep. */
  async function resolve(intent: RunIntent): Promise<boolean> {
    const log = deps.log.child({ intentId: intent.id, kind: intent.kind, app: intent.app, env: intent.env });
    if (intent.approvalId && !intent.approvalAudited) {
      const request = await deps.approvals.get(intent.approvalId);
      if (request) await deps.auditRecoveredApproval(request);
      await store.update(intent.id, { approvalAudited: true });
    }
    if (intent.target === 'droplets' && deps.releases) {
      // Nothing to find on DigitalOcean: a Droplet rollout is reported, never re-run blindly.
      await concludeInterruptedRollout({ ...deps, releases: deps.releases, store }, intent);
      return true;
    }
    if (intent.stage === 'claimed') {
      await concludeNone(intent, 'dockside stopped before it sent anything to DigitalOcean');
      return true;
    }
    if (intent.kind === 'restore') {
      await concludeUnknownRestore(intent);
      return true;
    }
    const deployment = intent.deploymentId
      ? await deps.do.getDeployment(intent.appId ?? '', intent.deploymentId)
      : await findCreated(intent);
    if (deployment) {
      log.info({ deploymentId: deployment.id }, 'adopting a deployment whose replica stopped');
      await handOver(intent, deployment);
      return true;
    }
    const since = Date.parse(intent.creatingAt ?? intent.createdAt);
    if (deps.clock.now() - since < createWindowMs) return false;
    await concludeNone(intent, 'DigitalOcean shows no deployment created for it');
    return true;
  }

  async function findCreated(intent: RunIntent): Promise<Deployment | undefined> {
    if (!intent.appId) return undefined;
    // New since the create was sent: not among the deployments listed just before it, and
    // not older than that (with a minute of slack for clocks of replicas and DigitalOcean).
    const known = new Set(intent.existingIds ?? []);
    const after = Date.parse(intent.creatingAt ?? intent.createdAt) - 60_000;
    const recent = await deps.do.listDeployments(intent.appId, { perPage: 20 });
    return recent
      .filter((d) => !known.has(d.id) && Date.parse(d.createdAt) >= after && looksCreatedBy(intent, d))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  }

  async function handOver(intent: RunIntent, deployment: Deployment): Promise<void> {
    const record = watchRecordFrom(intent, deployment.id, intent.message ?? { channel: '', ts: '' }, [
      'dockside lost track of this while starting it (a restart, or Redis or DigitalOcean failing) and picked it up again.',
    ]);
    if (!record.message.ts && intent.channel) {
      record.message = await deps.slack
        .post(intent.channel, deploymentMessage({ record, deployment, now: deps.clock.now() }))
        .catch(() => record.message);
    }
    await deps.follower.start(record, intent.id);
  }

  function label(intent: RunIntent): string {
    return intent.command
      ? `\`${intent.command}\``
      : `the ${intent.kind} of ${intent.app ?? ''} ${intent.env ?? ''}`.trim();
  }

  async function concludeNone(intent: RunIntent, why: string): Promise<void> {
    const text = `Not run: ${why}, so nothing was deployed. Run ${label(intent)} again if it is still needed.`;
    await tell(intent, text, false);
  }

  async function concludeUnknownRestore(intent: RunIntent): Promise<void> {
    const text =
      `dockside stopped while restoring (${label(intent)}); it may have created a new database cluster or ` +
      'restored part of the dump. Check the Databases page on DigitalOcean before running it again.';
    await tell(intent, text, false);
  }

  async function tell(intent: RunIntent, text: string, ok: boolean): Promise<void> {
    if (intent.approvalId) {
      // Closes the request, audits the outcome, updates its cards, and removes the intent.
      await deps.finishApproval(intent.approvalId, ok, text);
      await store.remove(intent.id);
      return;
    }
    await deps.audit.append({
      actor: 'dockside',
      action: `${intent.kind}.result`,
      ...(intent.app ? { app: intent.app } : {}),
      ...(intent.env ? { env: intent.env } : {}),
      result: ok ? 'succeeded' : 'failed',
      detail: text,
      ...(intent.auditRef ? { ref: intent.auditRef } : {}),
    });
    if (intent.channel) {
      await deps.slack
        .postEphemeral(intent.channel, intent.user, { text })
        .catch((err: unknown) => deps.log.warn({ err }, 'could not tell the requester what happened'));
    }
    await store.remove(intent.id);
  }

  return { sweep };
}

export type Recovery = ReturnType<typeof createRecovery>;
