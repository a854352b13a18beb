import type { KnownBlock } from '@slack/types';
import type { Deployment } from '../../src/do/port.js';
import type { HealthProbeResult } from '../../src/render/deployment.js';
import type { ChecklistItem } from './verify/types.js';
import type { WatchRecord } from './watchers.js';

export interface FinishedDeployment {
  record: WatchRecord;
  deployment: Deployment;
  /** Went live and every checklist item passed. */
  ok: boolean;
  timedOut: boolean;
  /** The first health item, as the one health check of old (kept for the after-finish steps). */
  health?: HealthProbeResult;
  /** Post-deploy verification, when the deployment went live (handlers/deploy/verify). */
  checklist?: ChecklistItem[];
  /** The deployment that served before this one, when known: what a Roll back goes back to. */
  previousDeploymentId?: string | null;
}

/** What a kind of deployment adds when it ends (promotion checks, rollback offers). */
export interface AfterFinishResult {
  lines?: string[];
  actions?: KnownBlock;
  ok?: boolean;
  /** The checklist as data (default: the follower's); where it is rendered is the message's business. */
  checklist?: ChecklistItem[];
}
export type AfterFinish = (finished: FinishedDeployment) => Promise<AfterFinishResult | undefined>;
