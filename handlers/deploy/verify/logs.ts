/**
 * The runtime-log item: error lines of the new deployment's window against the
 * previous deployment's last window (semantics in rate.ts). Log text is redacted
 * before it is matched or kept, as /logs does, so samples never carry a secret.
 */
import type { AppOpsClient } from '../../../src/do/app-ops-port.js';
import { formatDuration } from '../../../src/render/format.js';
import { compileGrep } from '../../logs/grep.js';
import { MAX_LINE_CHARS, MAX_LOG_BYTES } from '../../logs/read.js';
import { redactLogLine } from '../../logs/redact.js';
import { countNew, countPrevious, formatRate, judgeRate, type LogLine, parseLogLines } from './rate.js';
import type { ChecklistItem, VerifyPlan } from './types.js';

const SAMPLES = 3;

async function runLog(
  ops: AppOpsClient,
  appId: string,
  deploymentId: string,
  component: string | undefined,
): Promise<{ lines: LogLine[]; none: boolean; truncated: boolean }> {
  const links = await ops.getLogLinks({
    appId,
    deploymentId,
    type: 'RUN',
    ...(component ? { component } : {}),
  });
  const log = await ops.readLog(links, { maxBytes: MAX_LOG_BYTES });
  const lines = parseLogLines(log.text).map((l) => ({
    ...l,
    text: redactLogLine(l.text.length > MAX_LINE_CHARS ? `${l.text.slice(0, MAX_LINE_CHARS)}…` : l.text),
  }));
  return { lines, none: log.source === 'none', truncated: log.truncated };
}

export async function checkRuntimeLogs(
  ops: AppOpsClient,
  input: {
    appId: string;
    deploymentId: string;
    previousDeploymentId: string | null | undefined;
    /** When the window started and ended (ms). */
    startedAt: number;
    endsAt: number;
    plan: NonNullable<VerifyPlan['logs']>;
  },
): Promise<ChecklistItem> {
  const { plan } = input;
  const base = { key: 'logs', label: 'Runtime errors vs the previous deployment' };
  let test: (line: string) => boolean;
  try {
    test = compileGrep(plan.pattern, 'verify.logs.pattern');
  } catch (err) {
    return { ...base, ok: false, detail: err instanceof Error ? err.message : 'bad pattern' };
  }
  let current: ReturnType<typeof countNew>;
  let spanMs = plan.windowMs;
  try {
    const { lines, none, truncated } = await runLog(ops, input.appId, input.deploymentId, plan.component);
    if (none) {
      // Fail closed: no log is no evidence that the deployment logs no errors.
      return { ...base, ok: false, detail: 'DigitalOcean had no runtime log of this deployment' };
    }
    // A busy app's log may be longer than dockside reads: the rate is over the part read.
    const firstAt = truncated ? lines.find((l) => l.at !== undefined)?.at : undefined;
    if (firstAt !== undefined) spanMs = Math.min(plan.windowMs, Math.max(1000, input.endsAt - firstAt));
    current = countNew(lines, test, input.endsAt, spanMs);
  } catch (err) {
    // Fail closed: an unread log is no evidence that the deployment logs no errors.
    return {
      ...base,
      ok: false,
      detail: `could not read the runtime log: ${err instanceof Error ? err.message : 'unknown error'}`,
    };
  }
  let previous: ReturnType<typeof countPrevious> | undefined;
  let previousNote =
    current.perMinute > 0 && spanMs < plan.windowMs
      ? `; the log was longer than dockside reads, so the rate is over its last ${formatDuration(spanMs)}`
      : '';
  if (input.previousDeploymentId) {
    try {
      const { lines, none } = await runLog(ops, input.appId, input.previousDeploymentId, plan.component);
      // DigitalOcean may keep no runtime log of a deployment that no longer runs.
      if (none)
        previousNote += '; DigitalOcean kept no runtime log of the previous deployment, so it counts as 0';
      else previous = countPrevious(lines, test, plan.windowMs, input.startedAt);
    } catch {
      previousNote += "; the previous deployment's log could not be read, so it counts as 0";
    }
  } else {
    previousNote += '; no previous deployment to compare with';
  }
  const verdict = judgeRate(current, previous, plan);
  const window = formatDuration(plan.windowMs);
  const detail =
    `${current.count} error line${current.count === 1 ? '' : 's'} in ${window} (${formatRate(current.perMinute)})` +
    (previous ? `, previous deployment ${formatRate(previous.perMinute)}` : '') +
    (verdict.ok
      ? current.count > 0 && current.count <= plan.allowedLines
        ? `; up to ${plan.allowedLines} allowed`
        : ''
      : `; more than ${plan.allowedLines} and above ${formatRate(verdict.limitPerMinute)} (${plan.factor}× the previous rate)`) +
    previousNote;
  return {
    ...base,
    ok: verdict.ok,
    detail,
    ...(verdict.ok || current.matches.length === 0 ? {} : { samples: current.matches.slice(-SAMPLES) }),
  };
}
