import type { IntentRuntime } from '../handlers/deploy/runners.js';
import { rolesOf } from '../src/access.js';
import type { AuditLog } from '../src/audit/types.js';
import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config/schema.js';
import { DocksideError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { plural } from '../src/render/format.js';
import type { MessageRef, SlackPoster } from '../src/slack/reply.js';
import { slackErrorCode, withSlackRetry } from '../src/slack/retry.js';
import type { UsergroupDirectory } from '../src/slack/usergroups.js';
import { identityOf, mayApprove, requiredApprovals } from './policy.js';
import { approvalMessage, requesterNote, stateSentence } from './render.js';
import { createApprovedRunner, type Executor } from './run.js';
import { createApprovalSteps } from './steps.js';
import type { ApprovalKind, ApprovalRequest, ApprovalStore, NewApprovalRequest } from './types.js';

export type { ExecutionResult, Executor } from './run.js';

export interface ApprovalServiceDeps {
  store: ApprovalStore;
  audit: AuditLog;
  slack: SlackPoster;
  groups: UsergroupDirectory;
  config: Config;
  clock: Clock;
  log: Logger;
  executors: Partial<Record<ApprovalKind, Executor>>;
  /** Run intents: the approve transition writes one, owned by this replica. */
  intents: IntentRuntime;
  /** How often posting the approval card is retried (429, ratelimited, 5xx) before the request is cancelled. */
  cardRetries?: number;
}

export type RequestInput = Omit<NewApprovalRequest, 'required'>;

/** A filed request; `duplicate` when an identical one was already pending and is returned instead. */
export type FiledRequest = ApprovalRequest & { duplicate?: boolean };

export function createApprovalService(deps: ApprovalServiceDeps) {
  const { store, config, clock } = deps;
  const ops = config.channels.ops;
  const steps = createApprovalSteps({ audit: deps.audit, slack: deps.slack, log: deps.log, ops });
  const { audit, auditAfter, rerender } = steps;
  const { run, finish } = createApprovedRunner({
    store,
    executors: deps.executors,
    intents: deps.intents,
    steps,
    log: deps.log,
  });

  /**
   * Posting the card is part of creating the request: a request nobody can see cannot be
   * approved, so when Slack does not take it (after retries) the request is cancelled and
   * the requester told, instead of waiting for its expiry.
   */
  async function postCard(created: ApprovalRequest): Promise<MessageRef> {
    try {
      return await withSlackRetry(() => deps.slack.post(ops, approvalMessage(created)), {
        retries: deps.cardRetries ?? 3,
        maxTotalMs: 20_000,
      });
    } catch (err) {
      deps.log.error({ err, approvalId: created.id }, 'could not post an approval request');
      const cancelled = await store.cancel(created.id, created.requester, clock.now()).catch(() => null);
      if (cancelled?.request) {
        await auditAfter(cancelled.request, {
          actor: 'dockside',
          action: 'approval.cancel',
          result: 'cancelled',
          detail: `the approval request could not be posted in the ops channel (${slackErrorCode(err)})`,
        });
      }
      // Not a member of the ops channel: the one place that explains Slack refusals says to invite it.
      if (['not_in_channel', 'channel_not_found'].includes(slackErrorCode(err))) throw err;
      throw new DocksideError(
        'approval_not_posted',
        `The approval request could not be posted in <#${ops}> (Slack: ${slackErrorCode(err)}), so it was cancelled and nothing will run.`,
        { hint: 'Try again in a minute; if it keeps failing, check that dockside is in that channel.' },
      );
    }
  }

  return {
    /**
     * Creates the request and posts it; nothing runs until it is approved. While an
     * identical request is pending, that one is returned (marked `duplicate`) instead of
     * asking the approvers twice.
     */
    async request(input: RequestInput): Promise<FiledRequest> {
      const required = requiredApprovals(config, input.app, input.env);
      const filed = await store.createOnce(
        { ...input, required },
        { ttlMinutes: config.approvals.ttl_minutes, now: clock.now(), identity: identityOf(input) },
      );
      if (filed.duplicate) return { ...filed.request, duplicate: true };
      const created = filed.request;
      await audit(created, {
        actor: created.requester,
        action: `approval.request.${created.kind}`,
        result: 'requested',
        detail: created.summary.split('\n')[0] ?? '',
      });
      const messages: MessageRef[] = [await postCard(created)];
      if (created.channel !== ops) {
        messages.push(
          await deps.slack
            .post(created.channel, requesterNote(created, ops))
            .catch(() => messages[0] as MessageRef),
        );
      }
      const unique = messages.filter(
        (m, i) => messages.findIndex((x) => x.channel === m.channel && x.ts === m.ts) === i,
      );
      await store.setMessages(created.id, unique);
      return { ...created, messages: unique };
    },

    /** An Approve click. Returns what the clicker alone should read, or null when the messages say it all. */
    async approve(id: string, user: string): Promise<string | null> {
      const request = await store.get(id);
      if (!request) return 'This approval request no longer exists.';
      const roles = await rolesOf(user, config, deps.groups);
      const may = mayApprove({ request, user, userRoles: roles, config });
      if (!may.ok) {
        await auditAfter(request, {
          actor: user,
          action: 'approval.approve',
          result: 'refused',
          detail: may.reason,
        });
        return may.reason;
      }
      const result = await store.approve(id, user, {
        now: clock.now(),
        selfApproval: config.approvals.self_approval,
        owner: deps.intents.replicaId,
      });
      switch (result.status) {
        case 'not_found':
          return 'This approval request no longer exists.';
        case 'self_approval':
          return 'You asked for this, so someone else must approve it.';
        case 'already_approved_by_you':
          return `You already approved this; it needs ${plural(result.request.required - result.request.approvals.length, 'more approver')}.`;
        case 'closed':
          return `${stateSentence(result.request.state)}; your click changed nothing.`;
        case 'expired':
          await auditAfter(result.request, {
            actor: 'dockside',
            action: 'approval.expire',
            result: 'expired',
          });
          await rerender(result.request);
          return 'This request has expired; nothing was done. Ask the requester to run the command again.';
        case 'recorded':
          await auditAfter(result.request, {
            actor: user,
            action: 'approval.approve',
            result: 'approved',
            detail: 'counted; more approvals needed',
          });
          await rerender(result.request);
          return `Your approval is recorded; it needs ${plural(result.request.required - result.request.approvals.length, 'more approver')}.`;
        case 'approved':
          await run(result.request, user);
          return null;
      }
    },

    /** Whether `user` may reject; the reason dialog is opened only when they may. */
    async mayReject(
      id: string,
      user: string,
    ): Promise<{ ok: true; request: ApprovalRequest } | { ok: false; reason: string }> {
      const request = await store.get(id);
      if (!request) return { ok: false, reason: 'This approval request no longer exists.' };
      if (request.state !== 'pending') return { ok: false, reason: `${stateSentence(request.state)}.` };
      if (user === request.requester)
        return { ok: false, reason: 'You asked for this; use Cancel to withdraw it.' };
      const may = mayApprove({
        request,
        user,
        userRoles: await rolesOf(user, config, deps.groups),
        config,
        verb: 'reject',
      });
      return may.ok ? { ok: true, request } : { ok: false, reason: may.reason };
    },

    async reject(id: string, user: string, reason: string): Promise<string | null> {
      const check = await this.mayReject(id, user);
      if (!check.ok) return check.reason;
      const result = await store.reject(id, user, reason, clock.now());
      if (!result.ok || !result.request)
        return result.request
          ? `${stateSentence(result.request.state)}.`
          : 'This approval request no longer exists.';
      await auditAfter(result.request, {
        actor: user,
        action: 'approval.reject',
        result: 'rejected',
        detail: reason,
      });
      await rerender(result.request);
      return null;
    },

    async cancel(id: string, user: string): Promise<string | null> {
      const request = await store.get(id);
      if (!request) return 'This approval request no longer exists.';
      if (request.requester !== user)
        return `Only <@${request.requester}>, who asked for it, can cancel this request.`;
      const result = await store.cancel(id, user, clock.now());
      if (!result.ok || !result.request) return `${stateSentence(result.request?.state ?? request.state)}.`;
      await auditAfter(result.request, { actor: user, action: 'approval.cancel', result: 'cancelled' });
      await rerender(result.request);
      return null;
    },

    /** Expires what is due (each request once, across replicas) and says so in its messages. */
    async expireDue(): Promise<number> {
      const expired = await store.expireDue(clock.now());
      for (const request of expired) {
        await auditAfter(request, { actor: 'dockside', action: 'approval.expire', result: 'expired' });
        await rerender(request);
      }
      return expired.length;
    },

    /** Called when the deployment an approval started has ended (and by the sweeper). */
    finish,

    /** The sweeper adopted an intent whose approval was never audited (its replica died first). */
    async auditRecoveredApproval(request: ApprovalRequest): Promise<void> {
      const last = request.approvals.at(-1);
      await audit(request, {
        actor: last?.user ?? 'dockside',
        action: 'approval.approve',
        result: 'approved',
        detail: 'recorded on recovery: the replica that took the click stopped before writing it',
      });
    },

    get: (id: string) => store.get(id),
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
