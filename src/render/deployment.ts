import type { KnownBlock } from '@slack/types';
import type { WatchRecord } from '../../handlers/deploy/watchers.js';
import { type Deployment, deploymentConsoleUrl } from '../do/port.js';
import { formatDuration, phaseIcon, shortId, truncate } from './format.js';

export interface HealthProbeResult {
  ok: boolean;
  /** One line: "200 OK in 84 ms, database connected" or "timed out after 5 s". */
  summary: string;
}

export interface DeploymentView {
  record: WatchRecord;
  deployment?: Deployment;
  /**
   * How it ended. `lines` are the details (failure reason, health result, what to do next),
   * which go in the thread; `short` is the few words the channel line ends with.
   */
  outcome?: { ok: boolean; lines: string[]; short?: string };
  /** Buttons that ask a person to act (Roll back, Commit/Revert, Full log). */
  actions?: KnownBlock;
  /** What the line says instead of the phase while a stage after it runs ("ACTIVE, verifying"). */
  status?: string;
  now: number;
}

const TITLES: Record<string, string> = {
  deploy: 'Deploying',
  promote: 'Promoting to',
  rollback: 'Rolling back',
  revert: 'Reverting rollback of',
  restart: 'Restarting',
  external: 'Deployment outside dockside of',
};

/** How the line reads once it went well: what was done, not what is going on. */
const DONE_TITLES: Record<string, string> = {
  deploy: 'Deployed',
  promote: 'Promoted to',
  rollback: 'Rolled back',
  revert: 'Reverted rollback of',
  restart: 'Restarted',
};

/** "Deploying web staging": what the line and its thread are about. */
export function deploymentTitle(record: WatchRecord): string {
  return `${TITLES[record.kind] ?? 'Deploying'} ${record.app} ${record.env}`;
}

function doneTitle(record: WatchRecord): string {
  const done = DONE_TITLES[record.kind];
  return done ? `${done} ${record.app} ${record.env}` : deploymentTitle(record);
}

export function deploymentLink(record: WatchRecord): string {
  return `<${deploymentConsoleUrl(record.appId, record.deploymentId)}|deployment ${shortId(record.deploymentId)}>`;
}

/** The channel line's longest reason: it stays one line in a normal window; the thread has it all. */
const SHORT_REASON = 160;

/**
 * The deployment's message in the channel: one line, edited as the deployment moves
 * (what, app env, phase, elapsed) and at the end (✅/❌, duration, short reason). The
 * phase-by-phase details go in its thread (deployment-thread.ts).
 *
 * Buttons that ask a person to act stay on this message, under the line: it is the one
 * message everybody in the channel sees, Slack shows it again at the top of the thread, and
 * it is the one dockside keeps editing. A thread reply broadcast to the channel would put a
 * second copy of the outcome in the channel (the noise this layout removes) and leave buttons
 * in two places; the person who has to act is mentioned in the final thread reply instead,
 * since an edit notifies nobody. Only a failure with nobody to mention (a deployment dockside
 * did not start) sends its outcome reply to the channel too (thread-replies.ts).
 */
export function deploymentMessage(view: DeploymentView): { text: string; blocks: KnownBlock[] } {
  const { record, deployment, outcome } = view;
  const title = deploymentTitle(record);
  const phase = deployment?.phase ?? 'PENDING_BUILD';
  const elapsed = formatDuration(view.now - Date.parse(record.startedAt));
  let line: string;
  if (outcome) {
    line = endedLine({
      ok: outcome.ok,
      title,
      doneTitle: doneTitle(record),
      reason: outcome.short ?? (outcome.ok ? 'done' : 'failed'),
      elapsed,
    });
  } else {
    const steps = deployment?.progress.totalSteps
      ? ` (${deployment.progress.successSteps}/${deployment.progress.totalSteps} steps)`
      : '';
    // A stage after the phase (verification) is not done yet, whatever the phase says.
    const icon = view.status ? ':hourglass_flowing_sand:' : phaseIcon(phase);
    line = `${icon} *${title}*: ${view.status ?? `${phase}${steps}`}, ${elapsed}`;
  }
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${line} · ${deploymentLink(record)}` } },
  ];
  if (view.actions) blocks.push(view.actions);
  const summary = outcome ? `${title}: ${outcome.ok ? 'done' : 'failed'}` : `${title}: ${phase}`;
  return { text: summary, blocks };
}

/**
 * How a channel line reads once what it follows ended: ✅ and what was done, or ❌ and what
 * was tried; a short reason on one line; how long it took. Titles and reason are mrkdwn
 * already (callers escape what came from outside); `note` follows the title ("(Droplets)").
 */
export function endedLine(o: {
  ok: boolean;
  title: string;
  doneTitle: string;
  reason: string;
  elapsed: string;
  note?: string;
}): string {
  const head = o.ok ? `:white_check_mark: *${o.doneTitle}*` : `:x: *${o.title}*`;
  return `${head}${o.note ? ` ${o.note}` : ''}: ${truncate(oneLine(o.reason), SHORT_REASON)}, ${o.elapsed}`;
}

/** The reason on one line (callers escape what came from outside). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
