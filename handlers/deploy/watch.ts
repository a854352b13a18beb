import { sleep as realSleep } from '../../src/clock.js';
import { type Deployment, type DoClient, TERMINAL_PHASES } from '../../src/do/port.js';

/**
 * Polls a deployment until it reaches a final phase, calling onChange whenever its
 * phase or step count moves. Transient read errors are tolerated (the DO client has
 * already retried); a deployment that does not finish within `timeoutMs` is returned
 * as it stands so the caller can say so.
 */
export async function watchDeployment(options: {
  do: DoClient;
  appId: string;
  deploymentId: string;
  onChange: (deployment: Deployment) => void | Promise<void>;
  pollMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called between polls; return false to stop (e.g. lost the watcher lease). */
  keepGoing?: () => Promise<boolean>;
}): Promise<{ deployment: Deployment; timedOut: boolean }> {
  const pollMs = options.pollMs ?? 5000;
  const sleep = options.sleep ?? realSleep;
  const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
  let last = '';
  let current: Deployment | undefined;
  let failures = 0;
  for (;;) {
    try {
      current = await options.do.getDeployment(options.appId, options.deploymentId);
      failures = 0;
    } catch (err) {
      if (++failures >= 5) throw err;
    }
    if (current) {
      const key = `${current.phase}:${current.progress.successSteps}/${current.progress.totalSteps}`;
      if (key !== last) {
        last = key;
        await options.onChange(current);
      }
      if (TERMINAL_PHASES.has(current.phase)) return { deployment: current, timedOut: false };
    }
    if (Date.now() > deadline && current) return { deployment: current, timedOut: true };
    if (current && options.keepGoing && !(await options.keepGoing()))
      return { deployment: current, timedOut: true };
    await sleep(pollMs);
  }
}

/**
 * Whether a finished deployment went live. SUPERSEDED means a newer deployment replaced
 * it; App Platform gives that phase to deployments that were ACTIVE, but also to ones a
 * newer deployment cancelled on the way, so every step must have succeeded too.
 */
export function wentLive(deployment: Deployment): boolean {
  if (deployment.phase === 'ACTIVE') return true;
  if (deployment.phase !== 'SUPERSEDED') return false;
  const { successSteps, totalSteps, errorSteps } = deployment.progress;
  return totalSteps > 0 && successSteps === totalSteps && errorSteps === 0;
}

/** Why a deployment failed, in one line: the failing step's reason, else the cause. */
export function failureReason(deployment: Deployment): string {
  const step = deployment.progress.steps.find((s) => s.status === 'ERROR' || s.reason?.message);
  if (step?.reason?.message) return `${step.name}: ${step.reason.message}`;
  if (step) return `step ${step.name} failed`;
  return deployment.cause || 'no cause given by DigitalOcean';
}
