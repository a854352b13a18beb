/**
 * `/logs`: the last lines of one log of an App Platform deployment, redacted and
 * filtered. Which deployment is resolved first (the active one unless given), so the
 * answer can say what it shows and a wrong id or component is named clearly.
 */
import type { AppOpsClient, JobInvocation, LogLinks, LogType } from '../../src/do/app-ops-port.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import { codeSpan as code } from '../../src/render/logs.js';
import type { LineTest } from './grep.js';
import { redactLogLines } from './redact.js';

/** What is read from DigitalOcean's archive at most; the tail of a log is what matters. */
export const MAX_LOG_BYTES = 512 * 1024;
/** A line longer than this is cut: one minified bundle must not fill the answer. */
export const MAX_LINE_CHARS = 2000;

/** A component's logs, or the log of a job's invocation by the deployment (migrations). */
export type LogsKind = LogType | 'JOB_INVOCATION';

export interface LogsRequest {
  appId: string;
  app: string;
  env: string;
  type: LogsKind;
  lines: number;
  deploymentId?: string;
  component?: string;
  grep?: { pattern: string; test: LineTest };
}

export interface LogsResult {
  deployment: Pick<Deployment, 'id' | 'phase' | 'cause'>;
  /** True when the deployment is the app's active one. */
  active: boolean;
  /** For a job's log: the invocation shown. */
  invocation?: Pick<JobInvocation, 'id' | 'phase'>;
  /** The last `lines` matching lines, oldest first, redacted. */
  lines: string[];
  /** Lines read from the log, and how many of them matched `grep` (all when no grep). */
  scanned: number;
  matched: number;
  truncated: boolean;
  endMissing: boolean;
  source: 'historic' | 'live' | 'none';
}

function componentNames(deployment: Deployment): string[] {
  const fromSpec = [
    deployment.spec?.services,
    deployment.spec?.workers,
    deployment.spec?.jobs,
    deployment.spec?.static_sites,
  ].flatMap((list) => (list ?? []).map((c) => c.name));
  return fromSpec.length > 0 ? fromSpec : deployment.components.map((c) => c.name);
}

async function resolveDeployment(doClient: DoClient, request: LogsRequest) {
  if (request.deploymentId) {
    const [deployment, app] = await Promise.all([
      doClient.getDeployment(request.appId, request.deploymentId),
      doClient.getApp(request.appId),
    ]);
    return { deployment, active: app.activeDeployment?.id === deployment.id };
  }
  const app = await doClient.getApp(request.appId);
  if (!app.activeDeployment) {
    throw new DocksideError(
      'not_available',
      `${request.app} ${request.env} has no active deployment, so there are no logs to show.`,
      {
        hint: `Name one with \`--deployment <id>\` (\`/rollback ${request.app} ${request.env}\` lists them).`,
      },
    );
  }
  const deployment = app.activeDeployment.spec
    ? app.activeDeployment
    : await doClient.getDeployment(request.appId, app.activeDeployment.id);
  return { deployment, active: true };
}

/** Splits, cuts over-long lines, redacts, filters and keeps the last `n`. */
export function selectLines(
  text: string,
  n: number,
  test?: LineTest,
): { lines: string[]; scanned: number; matched: number } {
  const raw = text.split(/\r?\n/);
  if (raw.at(-1) === '') raw.pop();
  const cut = raw.map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l));
  // Redact before filtering, so a grep can never be used to probe a redacted secret.
  const redacted = redactLogLines(cut);
  const matching = test ? redacted.filter(test) : redacted;
  return { lines: matching.slice(-n), scanned: raw.length, matched: matching.length };
}

async function linksFor(
  ops: AppOpsClient,
  request: LogsRequest,
  deploymentId: string,
): Promise<{ links: LogLinks; invocation?: JobInvocation }> {
  // Without a filter DigitalOcean can cut the log for us; with one, we need the lines before.
  const tail = request.grep ? {} : { tailLines: request.lines };
  if (request.type !== 'JOB_INVOCATION') {
    const links = await ops.getLogLinks({
      appId: request.appId,
      deploymentId,
      type: request.type,
      ...(request.component ? { component: request.component } : {}),
      ...tail,
    });
    return { links };
  }
  const job = request.component ?? '';
  const invocations = await ops.listJobInvocations(request.appId, { deploymentId, jobNames: [job] });
  const newest = invocations
    .filter((i) => i.jobName === job)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  if (!newest) {
    throw new DocksideError(
      'not_available',
      `Job ${code(job)} did not run for deployment ${deploymentId.slice(0, 8)} of ${request.app} ${request.env}.`,
      {
        hint: 'Only PRE_DEPLOY and POST_DEPLOY jobs run with a deployment; name another with `--deployment <id>`.',
      },
    );
  }
  const links = await ops.getJobInvocationLogLinks(request.appId, job, newest.id, { deploymentId, ...tail });
  return { links, invocation: newest };
}

export async function readLogs(
  deps: { do: DoClient; ops: AppOpsClient },
  request: LogsRequest,
): Promise<LogsResult> {
  const { deployment, active } = await resolveDeployment(deps.do, request);
  if (request.component) {
    const names = componentNames(deployment);
    if (names.length > 0 && !names.includes(request.component)) {
      throw new DocksideError(
        'usage',
        `Deployment ${deployment.id.slice(0, 8)} of ${request.app} ${request.env} has no component ${code(request.component)}.`,
        { hint: `Components: ${names.map(code).join(', ')}.` },
      );
    }
  }
  const { links, invocation } = await linksFor(deps.ops, request, deployment.id);
  const log = await deps.ops.readLog(links, { maxBytes: MAX_LOG_BYTES });
  const picked = selectLines(log.text, request.lines, request.grep?.test);
  return {
    deployment: { id: deployment.id, phase: deployment.phase, cause: deployment.cause },
    active,
    ...(invocation ? { invocation: { id: invocation.id, phase: invocation.phase } } : {}),
    ...picked,
    truncated: log.truncated,
    endMissing: log.endMissing === true,
    source: log.source,
  };
}
