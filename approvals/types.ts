import type { MessageRef } from '../src/slack/reply.js';

export type ApprovalKind = 'deploy' | 'promote' | 'rollback' | 'revert' | 'restore' | 'restart';

export type ApprovalState =
  | 'pending'
  | 'approved'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'cancelled';

export const OPEN_STATES: ReadonlySet<ApprovalState> = new Set(['pending']);
export const FINAL_STATES: ReadonlySet<ApprovalState> = new Set([
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
]);

export interface ApprovalRequest {
  id: string;
  kind: ApprovalKind;
  requester: string;
  /** Channel the command was typed in. */
  channel: string;
  /** The command text as typed, for messages and audit. */
  command: string;
  app?: string;
  env?: string;
  database?: string;
  /**
   * What will happen, in plain words: mrkdwn in which everything from outside (DigitalOcean,
   * GitHub, people) was escaped with escapeText when it was written.
   */
  summary: string;
  /**
   * Exactly what is approved (app id, env, commit SHAs or digests, deployment ids).
   * Re-checked before running: if any moved, the approval is void.
   */
  binding: Record<string, string>;
  /** Everything the action needs to run after approval. */
  params: Record<string, string>;
  required: number;
  approvals: Array<{ user: string; at: string }>;
  rejection?: { user: string; reason: string; at: string };
  cancelledBy?: string;
  state: ApprovalState;
  createdAt: string;
  expiresAt: string;
  /** The approval message in the ops channel, and the link posted where it was asked. */
  messages: MessageRef[];
  /** Short result line once it ran. */
  outcome?: string;
}

export type NewApprovalRequest = Omit<
  ApprovalRequest,
  | 'id'
  | 'approvals'
  | 'state'
  | 'createdAt'
  | 'expiresAt'
  | 'messages'
  | 'rejection'
  | 'cancelledBy'
  | 'outcome'
>;

/** Result of a click, decided atomically in Redis. */
export type ApproveResult =
  | { status: 'recorded'; request: ApprovalRequest } // counted, more approvals needed
  | { status: 'approved'; request: ApprovalRequest } // this click reached the threshold and claimed the run
  | { status: 'already_approved_by_you'; request: ApprovalRequest }
  | { status: 'self_approval'; request: ApprovalRequest }
  | { status: 'closed'; request: ApprovalRequest } // not pending any more (state says why)
  | { status: 'expired'; request: ApprovalRequest }
  | { status: 'not_found' };

export interface ApprovalStore {
  create(request: NewApprovalRequest, options: { ttlMinutes: number; now: number }): Promise<ApprovalRequest>;
  /**
   * Creates the request unless one with the same `identity` is pending and not yet due;
   * then that one comes back with `duplicate`. Atomic across replicas: of identical
   * requests filed at the same moment, one is created.
   */
  createOnce(
    request: NewApprovalRequest,
    options: { ttlMinutes: number; now: number; identity: string },
  ): Promise<{ request: ApprovalRequest; duplicate: boolean }>;
  get(id: string): Promise<ApprovalRequest | null>;
  setMessages(id: string, messages: MessageRef[]): Promise<void>;
  /**
   * Records a click. The click that reaches the threshold moves the request straight to
   * `running`, owned by `owner` (a replica id), with its run intent, in one transition.
   */
  approve(
    id: string,
    user: string,
    options: { now: number; selfApproval: boolean; owner: string },
  ): Promise<ApproveResult>;
  reject(
    id: string,
    user: string,
    reason: string,
    now: number,
  ): Promise<{ ok: boolean; request: ApprovalRequest | null }>;
  /** Only the requester may cancel; pending only. */
  cancel(id: string, user: string, now: number): Promise<{ ok: boolean; request: ApprovalRequest | null }>;
  /**
   * approved -> running with a run intent owned by `owner`, for requests left `approved`
   * by an older dockside; the request on exactly one caller across all replicas, else null.
   */
  claimRun(id: string, options: { owner: string; now: number }): Promise<ApprovalRequest | null>;
  finish(id: string, state: 'succeeded' | 'failed', outcome: string): Promise<ApprovalRequest | null>;
  /** pending requests past their expiry -> expired; returns those this call expired. */
  expireDue(now: number): Promise<ApprovalRequest[]>;
  listByState(states: ApprovalState[]): Promise<ApprovalRequest[]>;
}
