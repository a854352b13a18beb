/**
 * The audit log contract. Entries are append-only and hash-chained; an action writes
 * its entry before it runs ("no audit, no action") and an outcome entry after.
 */
export type AuditResult =
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'refused'
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'cancelled'
  | 'info';

export interface AuditEntryInput {
  /** Slack user id, or `dockside` for what the bot does by itself (schedules, expiry, pruning). */
  actor: string;
  channel?: string;
  /** The command text as typed, e.g. `/deploy web staging`. */
  command?: string;
  /** What happened: `deploy`, `promote`, `approval.approve`, `backup.prune`, ... */
  action: string;
  app?: string;
  env?: string;
  database?: string;
  result: AuditResult;
  /** One short line; never result rows, never secrets (scrubbed again on write). */
  detail?: string;
  durationMs?: number;
  /** DigitalOcean ids involved: appId, deploymentId, clusterId, ... */
  doIds?: Record<string, string>;
  /** Id of the entry this one follows up (an outcome points at its start). */
  ref?: string;
  /** Free-form extra fields that are safe to keep (e.g. sql text, row count). */
  data?: Record<string, string | number | boolean>;
}

export interface AuditEntry extends AuditEntryInput {
  id: string;
  /** ISO time the entry was written. */
  at: string;
  /** Hash of the previous entry (hex sha256), `genesis` for the first. */
  prev: string;
  /** sha256 over prev and this entry's canonical JSON. */
  hash: string;
}

export interface AuditFilter {
  app?: string;
  user?: string;
  since?: string;
  limit?: number;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  /** The first entry where the chain breaks, and why. */
  brokenAt?: { id: string; reason: string };
  /**
   * The live chain is intact from an anchor kept outside Redis, but the entries before it
   * are gone (Redis lost them): it holds `first`..`last`; the anchor (`anchorAt`) had `expectedBefore`.
   */
  historyMissing?: { first: number; last: number; anchorAt: string; expectedBefore: number };
}

export interface AuditLog {
  /** Throws DocksideError('audit_unavailable') when the entry cannot be written. */
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
  verify(): Promise<AuditVerifyResult>;
  /** Oldest first, for compliance export. */
  export(filter?: AuditFilter): AsyncIterable<AuditEntry>;
}
