/**
 * What dockside reads and does on App Platform besides deploying: deployment logs,
 * job invocations (PRE_DEPLOY migrations), rolling restarts and spec proposals (cost).
 * Kept apart from DoClient so the port each handler needs stays small; the client
 * is `src/do/app-ops.ts`, the simulator serves the same endpoints.
 */
import type { AppSpec, Deployment } from './port.js';

/** App Platform's log types, as the `type` query parameter takes them. */
export const LOG_TYPES = ['BUILD', 'DEPLOY', 'RUN', 'RUN_RESTARTED'] as const;
export type LogType = (typeof LOG_TYPES)[number];

/** Where the text of a log is: archived files, or a live stream (https or wss). */
export interface LogLinks {
  liveUrl?: string;
  historicUrls: string[];
}

export interface LogRequest {
  appId: string;
  type: LogType;
  /** Absent: the active deployment. */
  deploymentId?: string;
  /** Absent: every component (DigitalOcean's aggregate logs). */
  component?: string;
  /** Lines from the end that DigitalOcean should keep in the answer. */
  tailLines?: number;
}

export const JOB_INVOCATION_PHASES = [
  'UNKNOWN',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'SKIPPED',
] as const;
export type JobInvocationPhase = (typeof JOB_INVOCATION_PHASES)[number];

export interface JobInvocation {
  id: string;
  jobName: string;
  deploymentId?: string;
  phase: JobInvocationPhase;
  /** MANUAL, SCHEDULE or UNKNOWN (a PRE_DEPLOY job run by a deployment). */
  trigger: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
}

/** `POST /v2/apps/propose`: the spec as DigitalOcean would run it, and its monthly cost. */
export interface Proposal {
  /** USD per month; absent when DigitalOcean did not say. */
  appCost?: number;
  appIsStatic?: boolean;
}

/** The text of a log as fetched from its links, bounded in bytes. */
export interface LogText {
  text: string;
  /** Bytes read from the archive. */
  bytes: number;
  /** True when older text was left out to stay within the byte bound. */
  truncated: boolean;
  /** The archive was larger than dockside reads without Range support: the newest lines may be missing. */
  endMissing?: boolean;
  /** `none`: DigitalOcean had no text for this log (yet). */
  source: 'historic' | 'live' | 'none';
}

export interface AppOpsClient {
  getLogLinks(request: LogRequest): Promise<LogLinks>;
  listJobInvocations(
    appId: string,
    options?: { deploymentId?: string; jobNames?: string[] },
  ): Promise<JobInvocation[]>;
  getJobInvocationLogLinks(
    appId: string,
    jobName: string,
    invocationId: string,
    options?: { deploymentId?: string; tailLines?: number },
  ): Promise<LogLinks>;
  /** Rolling restart of all or some components; creates a deployment, so never retried. */
  restart(appId: string, components?: string[]): Promise<Deployment>;
  /** Validates a spec (as an update of `appId` when given) and prices it. Changes nothing. */
  propose(spec: AppSpec, appId?: string): Promise<Proposal>;
  /** Fetches the text behind the links (without the API token), keeping at most `maxBytes` of its end. */
  readLog(links: LogLinks, options?: { maxBytes?: number }): Promise<LogText>;
}
