import type { IntentRuntime } from '../handlers/deploy/runners.js';
import { DocksideError, isDocksideError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { toUserMessage } from '../src/user-message.js';
import type { ApprovalSteps } from './steps.js';
import type { ApprovalKind, ApprovalRequest, ApprovalStore } from './types.js';

/**
 * What an approved request does. It must re-check the request's binding first and
 * throw `approval_stale` when what was approved has moved on.
 * `started`: a deployment (or cluster) is under way and `finish()` is called when it ends.
 */
export type ExecutionResult =
  | { status: 'started'; detail: string; doIds?: Record<string, string> }
  | { status: 'done'; ok: boolean; detail: string; doIds?: Record<string, string> };
export type Executor = (request: ApprovalRequest) => Promise<ExecutionResult>;

export interface ApprovedRunnerDeps {
  store: ApprovalStore;
  executors: Partial<Record<ApprovalKind, Executor>>;
  intents: IntentRuntime;
  steps: ApprovalSteps;
  log: Logger;
}

/** Runs approved requests and records how they ended. */
export function createApprovedRunner(deps: ApprovedRunnerDeps) {
  const { store } = deps;
  const { audit, auditAfter, rerender } = deps.steps;

  /**
   * Runs a request this replica claimed (the approve transition made it `running` and
   * wrote its intent). Whatever fails here leaves either an outcome or the intent, which
   * handlers/deploy/recovery.ts resolves: an approved request is never left owned by nobody.
   */
  async function run(request: ApprovalRequest, approver: string): Promise<void> {
    const { working } = deps.intents;
    working.add(request.id);
    try {
      await runClaimed(request, approver);
    } finally {
      working.delete(request.id);
    }
  }

  async function runClaimed(request: ApprovalRequest, approver: string): Promise<void> {
    const executor = deps.executors[request.kind];
    let running: ApprovalRequest = { ...request, state: 'running' };
    try {
      // No audit, no action: the approval and the start of the run are both on record first.
      await audit(running, { actor: approver, action: 'approval.approve', result: 'approved' });
      await deps.intents.store.update(request.id, { approvalAudited: true });
      await audit(running, { actor: 'dockside', action: `approval.run.${request.kind}`, result: 'started' });
    } catch (err) {
      deps.log.error({ err, approvalId: request.id }, 'could not audit an approved run; not running it');
      const outcome = 'Not run: the audit log (Redis) could not be written. Nothing was done; ask again.';
      await finish(request.id, false, outcome).catch(async () => {
        // Redis is gone: say so on the card now; the intent stays and the sweeper records it later.
        await rerender({ ...running, state: 'failed', outcome });
      });
      return;
    }
    await rerender(running);
    try {
      if (!executor)
        throw new DocksideError('not_available', `Running an approved ${request.kind} is not available.`);
      const result = await executor(running);
      if (result.status === 'done') {
        await finish(request.id, result.ok, result.detail, result.doIds);
      } else {
        running = { ...running, outcome: result.detail };
        await auditAfter(running, {
          actor: 'dockside',
          action: `approval.run.${request.kind}`,
          result: 'info',
          detail: result.detail,
          ...(result.doIds ? { doIds: result.doIds } : {}),
        });
        await rerender(running);
      }
    } catch (err) {
      const text = toUserMessage(err, deps.log, { approvalId: request.id });
      if (isDocksideError(err, 'outcome_unknown')) {
        // It may be running on DigitalOcean: the intent stays, and the sweeper finds out.
        await rerender({ ...running, outcome: text });
        return;
      }
      await finish(request.id, false, text).catch(async (finishErr: unknown) => {
        deps.log.error({ err: finishErr, approvalId: request.id }, 'could not record a failed run');
        await rerender({ ...running, state: 'failed', outcome: text });
      });
    }
  }

  async function finish(
    id: string,
    ok: boolean,
    outcome: string,
    doIds?: Record<string, string>,
  ): Promise<void> {
    const request = await store.finish(id, ok ? 'succeeded' : 'failed', outcome);
    if (!request) return;
    await auditAfter(request, {
      actor: 'dockside',
      action: `approval.outcome.${request.kind}`,
      result: ok ? 'succeeded' : 'failed',
      detail: outcome,
      ...(doIds ? { doIds } : {}),
    });
    await rerender(request);
  }

  return { run, finish };
}
