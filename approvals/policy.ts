import type { Config } from '../src/config/schema.js';
import { own } from '../src/own.js';
import type { ApprovalKind, ApprovalRequest, NewApprovalRequest } from './types.js';

/** Distinct approvers needed: the env's setting, else the app's, else `approvals.required`. */
export function requiredApprovals(config: Config, app?: string, env?: string): number {
  const appConfig = own(config.apps, app);
  const envConfig = appConfig ? own(appConfig.environments, env) : undefined;
  return envConfig?.approvals_required ?? appConfig?.approvals_required ?? config.approvals.required;
}

const NOUN: Record<ApprovalKind, string> = {
  deploy: 'deploy',
  promote: 'promotion',
  rollback: 'rollback',
  revert: 'revert of a rollback',
  restore: 'restore',
  restart: 'restart',
};

export type MayApprove = { ok: true } | { ok: false; reason: string };

/**
 * Whether `user` may press Approve (or Reject) on `request`. The reasons are shown to
 * the person who clicked, so they are one plain sentence each.
 */
export function mayApprove(input: {
  request: Pick<ApprovalRequest, 'kind' | 'requester'>;
  user: string;
  userRoles: Set<string>;
  config: Config;
  /** What the click would do; Reject is open to the same people as Approve. */
  verb?: 'approve' | 'reject';
}): MayApprove {
  const { request, user, userRoles, config } = input;
  const verb = input.verb ?? 'approve';
  if (user === request.requester && !config.approvals.self_approval) {
    return {
      ok: false,
      reason: `You asked for this ${NOUN[request.kind]}, so someone else must ${verb} it.`,
    };
  }
  const role = config.approvals.approver_role;
  if (!userRoles.has(role)) {
    return {
      ok: false,
      reason: `Only members of the "${role}" role can ${verb} a ${NOUN[request.kind]}; ask one of them to review it.`,
    };
  }
  return { ok: true };
}

/**
 * Same action on the same target, bound to the same state, as one string: approving
 * either of two requests with the same identity would do the same, so at most one of
 * them is pending (the store keys on its hash).
 */
export function identityOf(
  input: Omit<NewApprovalRequest, 'required' | 'requester' | 'channel' | 'command' | 'summary'>,
): string {
  return JSON.stringify([
    input.kind,
    input.app ?? null,
    input.env ?? null,
    input.database ?? null,
    Object.entries(input.binding).sort(),
    Object.entries(input.params).sort(),
  ]);
}
