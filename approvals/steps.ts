import type { AuditEntryInput, AuditLog } from '../src/audit/types.js';
import type { Logger } from '../src/logger.js';
import type { MessageRef, SlackPoster } from '../src/slack/reply.js';
import { approvalMessage, requesterNote } from './render.js';
import type { ApprovalRequest } from './types.js';

export type ApprovalAuditEntry = Partial<AuditEntryInput> &
  Pick<AuditEntryInput, 'actor' | 'action' | 'result'>;

/** What every step of a request does besides its transition: audit it and update its messages. */
export interface ApprovalSteps {
  /** Audit entry of a step about to happen: a failure throws (no audit, no action). */
  audit(request: ApprovalRequest, entry: ApprovalAuditEntry): Promise<unknown>;
  /** Audit entry of a step that already happened: a failure is logged, not thrown. */
  auditAfter(request: ApprovalRequest, entry: ApprovalAuditEntry): Promise<unknown>;
  /** The card in the ops channel and the note where it was asked, redrawn for the request's state. */
  rerender(request: ApprovalRequest): Promise<void>;
}

export function createApprovalSteps(deps: {
  audit: AuditLog;
  slack: SlackPoster;
  log: Logger;
  ops: string;
}): ApprovalSteps {
  const { ops } = deps;
  const audit = (request: ApprovalRequest, entry: ApprovalAuditEntry) =>
    deps.audit.append({
      channel: request.channel,
      command: request.command,
      ...(request.app ? { app: request.app } : {}),
      ...(request.env ? { env: request.env } : {}),
      ...(request.database ? { database: request.database } : {}),
      data: { approvalId: request.id, kind: request.kind },
      ...entry,
    });

  const auditAfter = (request: ApprovalRequest, entry: ApprovalAuditEntry) =>
    audit(request, entry).catch((err: unknown) =>
      deps.log.error({ err, approvalId: request.id }, 'could not audit an approval step'),
    );

  async function rerender(request: ApprovalRequest): Promise<void> {
    await Promise.all(
      request.messages.map((ref: MessageRef) =>
        deps.slack
          .update(
            ref,
            ref.channel === ops && ref === request.messages[0]
              ? approvalMessage(request)
              : requesterNote(request, ops),
          )
          .catch((err: unknown) =>
            deps.log.warn({ err, approvalId: request.id }, 'could not update an approval message'),
          ),
      ),
    );
  }

  return { audit, auditAfter, rerender };
}
