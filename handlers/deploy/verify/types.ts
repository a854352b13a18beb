/**
 * Post-deploy verification as data: the checklist items a deployment message ends
 * with, and the state kept in the watch record so a replica that takes over resumes
 * the window where it was (issue 11).
 */

/** One line of the checklist: ✅ or ❌, what was checked, and what was seen (plain text, unescaped). */
export interface ChecklistItem {
  /** Stable id (`active`, `health:0`, `logs`, `job:migrate`): a resumed verification skips what is done. */
  key: string;
  label: string;
  ok: boolean;
  detail: string;
  /** A few of the lines that made it fail (redacted), for a runtime-log item. */
  samples?: string[];
  /** A dockside command that shows more (rendered as code). */
  command?: string;
}

/** Kept in the watch record from the moment the deployment was seen ACTIVE. */
export interface VerifyState {
  /** When verification began; the log window runs from here, across takeovers. */
  startedAt: string;
  /** The deployment that ran before this one (log comparison, Roll back); null when there is none. */
  previousDeploymentId?: string | null;
  /** Steps finished (`health`, `jobs`, `logs`): a replica that resumes skips them. */
  steps: string[];
  /** Items already decided, in checklist order; never re-checked (nor re-announced). */
  items: ChecklistItem[];
  /** Set when verification ended early (a failed health check, a newer deployment): no window to wait for. */
  endedEarly?: string;
}

/** One health URL and what it must answer (from `verify.health`, or health_url). */
export interface HealthExpectation {
  url: string;
  /** Absent: any 2xx. */
  status?: number;
  json?: Record<string, string | number | boolean | null>;
}

/** What to verify for one env, resolved from dockside.yml. */
export interface VerifyPlan {
  /** `verify.health`; when absent the follower probes health_url as it always did. */
  health?: HealthExpectation[];
  logs?: {
    windowMs: number;
    pattern: string;
    component?: string;
    allowedLines: number;
    factor: number;
  };
  jobs: boolean;
}
