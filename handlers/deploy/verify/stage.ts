/**
 * The verification stage of a followed deployment, after it went ACTIVE. Each step's
 * result is saved in the watch record before the next begins, so a replica that takes
 * over (restart, crash, shutdown) resumes it: the window keeps its start, steps done are
 * not run (nor reported) again.
 *
 * Order: health URLs at once (a failed one ends verification early: no point waiting
 * for the window to roll back a deployment that does not answer), then the runtime-log
 * window, then the jobs (a POST_DEPLOY job may still run when the deployment turns
 * ACTIVE) and the runtime-log judgement. Without `verify:` in dockside.yml only health_url is checked,
 * at once, as before. A rollback's deployment gets the health check only: it returns to
 * what ran before, and its Commit/Revert choice should not wait for a window.
 */
import type { Clock } from '../../../src/clock.js';
import type { AppOpsClient } from '../../../src/do/app-ops-port.js';
import type { Deployment, DoClient } from '../../../src/do/port.js';
import type { Logger } from '../../../src/logger.js';
import type { HealthProbeResult } from '../../../src/render/deployment.js';
import { formatDuration, slackDate } from '../../../src/render/format.js';
import type { WatchRecord } from '../watchers.js';
import { checkHealth } from './health.js';
import { checkJobs } from './jobs.js';
import { checkRuntimeLogs } from './logs.js';
import { previousLiveDeployment } from './previous.js';
import type { ChecklistItem, VerifyPlan, VerifyState } from './types.js';

export interface VerifyDeps {
  do: DoClient;
  ops?: AppOpsClient;
  clock: Clock;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  probeHealth: (url: string) => Promise<HealthProbeResult>;
  /** The plan of an env; undefined without `verify:`. */
  plan?: (app: string, env: string) => VerifyPlan | undefined;
  healthTimeoutMs?: number;
  fetch?: typeof fetch;
  /** How often the wait for the window's end checks that this replica still holds the record. */
  tickMs?: number;
}

export interface VerifyHooks {
  save: (record: WatchRecord) => Promise<void>;
  /** False when this replica lost the record (shutdown, takeover): stop, leave the state for the next. */
  keepGoing: () => Promise<boolean>;
  /** Told once what is being verified and until when (mrkdwn), for the progress message. */
  progress?: (line: string) => void;
}

export type VerifyOutcome =
  | { handedOver: true }
  | { handedOver: false; items: ChecklistItem[]; state: VerifyState; deployment: Deployment };

// A push that App Platform deployed by itself (`external`) is checked like a /deploy: the
// checklist is what teams tick after every deployment, however it was started.
const KINDS_WITH_WINDOW = new Set(['deploy', 'promote', 'restart', 'revert', 'external']);

export async function verifyDeployment(
  deps: VerifyDeps,
  record: WatchRecord,
  deployment: Deployment,
  hooks: VerifyHooks,
): Promise<VerifyOutcome> {
  const fullPlan = deps.plan?.(record.app, record.env);
  const plan = fullPlan && KINDS_WITH_WINDOW.has(record.kind) ? fullPlan : undefined;
  const state = record.verify ?? (await begin(deps, record, deployment, hooks));
  const done = (step: string) => state.steps.includes(step);
  const finishStep = async (step: string, items: ChecklistItem[]) => {
    state.items.push(...items);
    state.steps.push(step);
    await hooks.save(record);
  };

  if (!done('health')) {
    const health = fullPlan?.health ?? (record.healthUrl ? undefined : []);
    let items: ChecklistItem[];
    if (health) {
      items = await Promise.all(
        health.map((h, i) =>
          checkHealth(h, `health:${i}`, {
            timeoutMs: deps.healthTimeoutMs ?? 5000,
            ...(deps.fetch ? { fetch: deps.fetch } : {}),
          }),
        ),
      );
    } else {
      const probe = await deps.probeHealth(record.healthUrl ?? '');
      items = [{ key: 'health', label: 'Health', ok: probe.ok, detail: probe.summary }];
    }
    if (items.some((i) => !i.ok) && plan?.logs)
      state.endedEarly = 'a health check failed, so the log window was not waited for';
    await finishStep('health', items);
  }
  const windowed = plan?.logs && deps.ops && !done('logs') && !state.endedEarly ? plan.logs : undefined;
  if (windowed) {
    const until = new Date(Date.parse(state.startedAt) + windowed.windowMs).toISOString();
    hooks.progress?.(
      `:hourglass_flowing_sand: Verifying: runtime errors are compared with the previous deployment until ${slackDate(until, '{time_secs}')} (window ${formatDuration(windowed.windowMs)}).`,
    );
  }

  const startedAt = Date.parse(state.startedAt);
  const endsAt = startedAt + (windowed?.windowMs ?? 0);
  if (windowed) {
    for (;;) {
      const left = endsAt - deps.clock.now();
      if (left <= 0) break;
      if (!(await hooks.keepGoing())) return { handedOver: true };
      await deps.sleep(Math.min(left, deps.tickMs ?? 1000));
    }
    if (!(await hooks.keepGoing())) return { handedOver: true };
  }
  // After the window, when there is one: POST_DEPLOY jobs may still run when the deployment turns ACTIVE.
  if (plan?.jobs && !done('jobs')) {
    await finishStep('jobs', deps.ops ? await checkJobs(deps.ops, record, deployment) : []);
  }
  let current = deployment;
  if (windowed && deps.ops) {
    current = await deps.do.getDeployment(record.appId, record.deploymentId).catch(() => deployment);
    if (current.phase !== 'ACTIVE') {
      // A newer deployment serves now: its own message judges its logs.
      state.endedEarly = `it was ${current.phase} before the log window ended, so its runtime log was not judged`;
      await hooks.save(record);
    } else {
      const item = await checkRuntimeLogs(deps.ops, {
        appId: record.appId,
        deploymentId: record.deploymentId,
        previousDeploymentId: state.previousDeploymentId,
        startedAt,
        endsAt,
        plan: windowed,
      });
      await finishStep('logs', [item]);
    }
  }
  return { handedOver: false, items: state.items, state, deployment: current };
}

async function begin(
  deps: VerifyDeps,
  record: WatchRecord,
  deployment: Deployment,
  hooks: VerifyHooks,
): Promise<VerifyState> {
  const previousDeploymentId = await previousLiveDeployment(deps.do, record.appId, deployment).catch(
    (err: unknown) => {
      deps.log.warn({ err }, 'could not find the deployment before this one');
      return null;
    },
  );
  const took = formatDuration(deps.clock.now() - Date.parse(record.startedAt));
  const state: VerifyState = {
    startedAt: new Date(deps.clock.now()).toISOString(),
    previousDeploymentId,
    steps: [],
    items: [{ key: 'active', label: 'Deployment ACTIVE', ok: true, detail: `live after ${took}` }],
  };
  record.verify = state;
  await hooks.save(record);
  return state;
}
