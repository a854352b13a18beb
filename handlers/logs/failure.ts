/**
 * Why a deployment failed, from its own logs: the failing step and component (from
 * DigitalOcean's nested steps), then the end of that component's build or deploy log
 * (or its job invocation's log, for a PRE_DEPLOY job such as a migration), with the
 * lines that look like errors picked out. Ready for whoever reports a failed
 * deployment to call; it never throws for a missing log, it says so.
 */
import type { AppOpsClient, LogLinks, LogType } from '../../src/do/app-ops-port.js';
import type { Deployment } from '../../src/do/port.js';
import { isDocksideError } from '../../src/errors.js';
import { selectLines } from './read.js';

export interface FailingStep {
  /** DigitalOcean's step path, e.g. `build / components / web`. */
  step: string;
  stage: 'build' | 'deploy' | 'other';
  component?: string;
  reason?: string;
}

export interface FailureExcerpt {
  deploymentId: string;
  failing: FailingStep;
  /** The log read: BUILD or DEPLOY of the component, or its job invocation. */
  log: LogType | 'JOB_INVOCATION';
  /** The last lines, redacted, oldest first. */
  tail: string[];
  /** Lines that look like errors, from a longer stretch before the end. */
  errors: string[];
  /** Set when no log text could be had, in words. */
  missing?: string;
}

const ERROR_LINE =
  /(\berror\b|\berr!|\bfatal\b|\bpanic\b|exception|traceback|\bfailed\b|\bfailure\b|exit(ed)? (with )?(code|status) [1-9])/i;
/** Lines searched for errors, before the tail shown. */
const SEARCHED_LINES = 300;

function componentNames(deployment: Deployment): Set<string> {
  const spec = deployment.spec;
  return new Set([
    ...deployment.components.map((c) => c.name),
    ...[spec?.services, spec?.workers, spec?.jobs, spec?.static_sites].flatMap((l) =>
      (l ?? []).map((c) => c.name),
    ),
  ]);
}

/** The deepest step in ERROR, read as stage and component. Pure. */
export function failingStep(deployment: Deployment): FailingStep | undefined {
  const failed = deployment.progress.steps.filter((s) => s.status === 'ERROR');
  const deepest = failed.reduce<(typeof failed)[number] | undefined>(
    (best, s) => (!best || s.name.split(' / ').length > best.name.split(' / ').length ? s : best),
    undefined,
  );
  if (!deepest) return undefined;
  const parts = deepest.name.split(' / ');
  const top = (parts[0] ?? '').toLowerCase();
  const stage = top.includes('build') ? 'build' : top.includes('deploy') ? 'deploy' : 'other';
  const names = componentNames(deployment);
  const afterComponents = parts[parts.indexOf('components') + 1];
  const component =
    parts.includes('components') && afterComponents
      ? afterComponents
      : [...parts].reverse().find((p) => names.has(p));
  const reason = [...failed].reverse().find((s) => s.reason?.message)?.reason?.message;
  return {
    step: deepest.name,
    stage,
    ...(component ? { component } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** The error-looking lines among `lines`, the last `max` of them. Pure. */
export function pickErrorLines(lines: readonly string[], max = 5): string[] {
  return lines.filter((l) => ERROR_LINE.test(l)).slice(-max);
}

async function linksFor(
  ops: AppOpsClient,
  appId: string,
  deployment: Deployment,
  failing: FailingStep,
): Promise<{ log: FailureExcerpt['log']; links?: LogLinks; missing?: string }> {
  const job = deployment.spec?.jobs?.find((j) => j.name === failing.component);
  if (job && failing.component) {
    const [invocation] = await ops.listJobInvocations(appId, {
      deploymentId: deployment.id,
      jobNames: [failing.component],
    });
    if (!invocation)
      return { log: 'JOB_INVOCATION', missing: `no invocation of job ${failing.component} was recorded` };
    return {
      log: 'JOB_INVOCATION',
      links: await ops.getJobInvocationLogLinks(appId, failing.component, invocation.id, {
        deploymentId: deployment.id,
      }),
    };
  }
  // A failure outside build belongs to the deploy log (health checks, crashes at start).
  const type: LogType = failing.stage === 'build' ? 'BUILD' : 'DEPLOY';
  return {
    log: type,
    links: await ops.getLogLinks({
      appId,
      deploymentId: deployment.id,
      type,
      ...(failing.component ? { component: failing.component } : {}),
    }),
  };
}

export async function explainFailure(
  deps: { ops: AppOpsClient },
  appId: string,
  deployment: Deployment,
  options: { tailLines?: number; maxBytes?: number } = {},
): Promise<FailureExcerpt> {
  const failing = failingStep(deployment) ?? {
    step: '(no step reported)',
    stage: deployment.progress.successSteps === 0 ? 'build' : 'deploy',
  };
  const base = { deploymentId: deployment.id, failing, tail: [], errors: [] };
  try {
    const { log, links, missing } = await linksFor(deps.ops, appId, deployment, failing);
    if (!links) return { ...base, log, ...(missing ? { missing } : {}) };
    const text = await deps.ops.readLog(links, { maxBytes: options.maxBytes ?? 256 * 1024 });
    if (!text.text.trim()) return { ...base, log, missing: 'DigitalOcean has no text for this log' };
    const { lines } = selectLines(text.text, SEARCHED_LINES);
    return { ...base, log, tail: lines.slice(-(options.tailLines ?? 15)), errors: pickErrorLines(lines) };
  } catch (err) {
    // The failure itself is already known; a log that cannot be read must not hide it.
    const why = isDocksideError(err) ? err.message : 'the log could not be read';
    return { ...base, log: failing.stage === 'build' ? 'BUILD' : 'DEPLOY', missing: why };
  }
}
