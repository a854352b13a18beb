import type { Deployment } from '../../src/do/port.js';
import type { Logger } from '../../src/logger.js';
import { checklistLines } from '../../src/render/checklist.js';
import { type DeploymentView, deploymentMessage } from '../../src/render/deployment.js';
import { deploymentFinalReply } from '../../src/render/deployment-thread.js';
import { deliverFinal } from './follow-deliver.js';
import { outcomeLines } from './follow-outcome.js';
import { type PatientRedis, saveWhileRedisRecovers } from './follow-redis.js';
import type { AfterFinishResult, FinishedDeployment, FollowerDeps } from './follow-types.js';
import { shortOutcome, type ThreadReplies } from './thread-replies.js';
import { verifyDeployment } from './verify/stage.js';
import { wentLive } from './watch.js';
import type { FinalOutcome, WatchRecord } from './watchers.js';

/**
 * The end of following a deployment: verify it once it went live, decide the outcome
 * (after-finish steps, checklist, final message), save it before anything is announced,
 * audit it, deliver it, then close what it carried out.
 */
export function createFinisher(
  deps: FollowerDeps,
  sleep: (ms: number) => Promise<void>,
  patient: PatientRedis,
  thread: ThreadReplies,
) {
  /** The deployment's own message first, then what it carried out (the approval card): it reads in order. */
  async function finishDelivered(record: WatchRecord, final: FinalOutcome, log: Logger): Promise<void> {
    // `announce: failures`: a deployment someone else started that went well stays silent.
    if (!(record.postOnlyIfFailed && final.ok)) {
      const edited = record.message.ts;
      await deliverFinal(
        {
          slack: deps.slack,
          watchers: deps.watchers,
          sleep,
          ...(deps.finalRetryMs !== undefined ? { finalRetryMs: deps.finalRetryMs } : {}),
        },
        record,
        final.message,
        log,
      );
      await thread.deliverFinal(record, final, log, { freshLine: record.message.ts !== edited });
    }
    await deps
      .onFinished?.(record, final.ok, final.summary)
      .catch((err: unknown) => log.error({ err }, 'could not record the outcome'));
    await deps.watchers.remove(record.deploymentId);
  }

  /** Went live: verified (and judged on the checklist); otherwise as it ended. Undefined: handed over meanwhile. */
  async function conclude(
    record: WatchRecord,
    deployment: Deployment,
    timedOut: boolean,
    log: Logger,
    keepGoing: () => Promise<boolean>,
  ): Promise<FinishedDeployment | undefined> {
    if (timedOut || !wentLive(deployment)) return { record, deployment, ok: false, timedOut };
    // A newer deployment serves now: the health URL would check that one, not this.
    if (deployment.phase === 'SUPERSEDED' && !record.verify)
      return { record, deployment, ok: true, timedOut };
    const verified = await verifyDeployment(
      {
        do: deps.do,
        ...(deps.ops ? { ops: deps.ops } : {}),
        clock: deps.clock,
        log,
        sleep,
        probeHealth: deps.probeHealth,
        ...(deps.verifyPlan ? { plan: deps.verifyPlan } : {}),
        ...(deps.healthTimeoutMs !== undefined ? { healthTimeoutMs: deps.healthTimeoutMs } : {}),
      },
      record,
      deployment,
      {
        save: (r) => saveWhileRedisRecovers(patient, r, log),
        keepGoing,
        // The window may be minutes long: the line shows ACTIVE and that it verifies; what it
        // waits for is told in the thread.
        progress: (line) => {
          if (!record.message.ts) return;
          void deps.slack
            .update(
              record.message,
              deploymentMessage({ record, deployment, now: deps.clock.now(), status: 'ACTIVE, verifying' }),
            )
            .catch((err: unknown) => log.warn({ err }, 'could not update the deployment message'));
          void thread.note(record, 'verify', line, log);
        },
      },
    );
    if (verified.handedOver) return undefined;
    const health = verified.items.find((i) => i.key.startsWith('health'));
    return {
      markRollingBack: async (rollingBack) => {
        record.rollingBack = rollingBack;
        await saveWhileRedisRecovers(patient, record, log);
      },
      record,
      deployment: verified.deployment,
      ok: verified.items.every((i) => i.ok),
      timedOut,
      checklist: verified.items,
      previousDeploymentId: verified.state.previousDeploymentId ?? null,
      ...(health ? { health: { ok: health.ok, summary: health.detail } } : {}),
    };
  }

  /** Decides and saves the outcome (a replica that takes over from here only delivers it), audits and delivers it. */
  async function settle(record: WatchRecord, finished: FinishedDeployment, log: Logger): Promise<void> {
    const view = (extra: Partial<DeploymentView>): DeploymentView => ({
      record,
      now: deps.clock.now(),
      ...extra,
    });
    const { deployment } = finished;
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
    const checklist = extra?.checklist ?? finished.checklist ?? [];
    // The message ends with the checklist (issue 11); checklistLines is its one renderer.
    const lines = [
      ...outcomeLines(finished, deps.clock.now()),
      ...(extra?.lines ?? []),
      ...checklistLines(checklist),
    ];
    const outcome = { ok, lines, short: shortOutcome({ ...finished, checklist }, ok) };
    const message = deploymentMessage(
      view({ deployment, outcome, ...(extra?.actions ? { actions: extra.actions } : {}) }),
    );
    const reply = deploymentFinalReply(record, outcome, extra?.actions !== undefined);
    // From here the outcome is decided: saved first, so a replica that takes over only delivers it.
    record.final = { message, reply, ok, summary: lines[0] ?? '' };
    await saveWhileRedisRecovers(patient, record, log);
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
    await finishDelivered(record, record.final, log);
  }

  return { conclude, settle, finishDelivered };
}
