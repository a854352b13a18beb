import type { KnownBlock } from '@slack/types';
import type { PlanKind, RolloutEvent, RolloutResult, ServiceChange } from '../../handlers/deploy/target.js';
import { shortDigest } from '../registry/image.js';
import { endedLine } from './deployment.js';
import { escapeText, formatDuration, plural, truncate } from './format.js';
import { codeSpan as code } from './logs.js';

/**
 * A Droplet rollout in the channel: one line, edited as hosts move and at the end (✅/❌,
 * duration, short reason naming the failing host); the host by host details go in its
 * thread (droplet-thread.ts), as for App Platform deployments (deployment.ts). Host
 * names, digests, tags, reasons and log lines come from config, the registry and the
 * hosts themselves: every one of them is escaped before it becomes mrkdwn.
 */

export type HostState = { step: RolloutEvent['step']; detail?: string };

export interface DropletRolloutView {
  kind: PlanKind;
  app: string;
  env: string;
  user: string;
  releaseId: string;
  changes: ServiceChange[];
  /** The command as typed (what the first thread reply says caused the rollout). */
  command?: string;
  /** Hosts in the order they were first reported, with their last step. */
  hosts: Array<[string, HostState]>;
  /** The last env-wide step (health_url), if any. */
  envStep?: RolloutEvent['step'];
  startedAt: number;
  now: number;
  /** Lines for the first thread reply (who approved). Already mrkdwn-safe. */
  lines?: string[];
  result?: RolloutResult;
  /** The run stopped on an error before it had a result (stale plan, already running, Redis, interrupted). */
  error?: string;
}

const TITLES: Record<PlanKind, string> = {
  deploy: 'Deploying',
  promote: 'Promoting to',
  rollback: 'Rolling back',
};

/** How the line reads once it went well: what was done, not what is going on. */
const DONE_TITLES: Record<PlanKind, string> = {
  deploy: 'Deployed',
  promote: 'Promoted to',
  rollback: 'Rolled back',
};

export const STEP_WORDS: Record<RolloutEvent['step'], string> = {
  resolve: 'writing the release file',
  leave_lb: 'leaving the load balancer',
  pull: 'pulling images',
  up: 'starting containers',
  migrate: 'running the migration',
  host_health: 'waiting for health',
  join_lb: 'rejoining the load balancer',
  host_done: 'done',
  host_failed: 'failed',
  restore: 'going back to the previous release',
  health_url: 'checking health_url',
};

/** "Deploying api staging": what the line and its thread are about (plain text). */
export function rolloutTitle(view: Pick<DropletRolloutView, 'kind' | 'app' | 'env'>): string {
  return `${TITLES[view.kind]} ${view.app} ${view.env}`;
}

function side(d: { digest: string; tag?: string } | undefined): string {
  if (!d) return 'nothing';
  return `${code(shortDigest(d.digest))}${d.tag ? ` (${escapeText(d.tag)})` : ''}`;
}

export function changeLine(c: ServiceChange): string {
  const service = escapeText(c.service);
  if (c.from?.digest === c.to.digest) return `${service}: ${side(c.to)} unchanged`;
  return `${service}: ${side(c.from)} → ${side(c.to)}`;
}

/** The outcome lines: where each host is, why it stopped, the failing service's last log lines. */
export function outcomeLines(
  view: Pick<DropletRolloutView, 'kind' | 'app' | 'env' | 'releaseId'>,
  result: RolloutResult,
): string[] {
  const lines: string[] = [];
  const list = (hosts: string[]) => hosts.map(code).join(', ');
  const health = `/health ${view.app} ${view.env}`;
  if (result.ok) {
    lines.push(`Release ${code(view.releaseId)} runs on ${list(result.updated)}.`);
  } else if (result.failedHost) {
    lines.push(`*${code(result.failedHost)} failed*: ${escapeText(result.reason ?? 'no reason given')}`);
  } else {
    lines.push(`*Failed*: ${escapeText(result.reason ?? 'no reason given')}`);
  }
  if (!result.ok && result.updated.length > 0) {
    lines.push(`Still on the new release ${code(view.releaseId)}: ${list(result.updated)}.`);
  }
  if (result.restored.length > 0) {
    lines.push(`Put back on the previous release: ${list(result.restored)}.`);
  }
  for (const problem of result.notRestored) {
    lines.push(
      `:warning: ${code(problem.host)} could not be put back (${escapeText(problem.reason)}): it needs a person; ${code(health)} shows each host.`,
    );
  }
  if (
    !result.ok &&
    result.updated.length === 0 &&
    result.restored.length === 0 &&
    result.notRestored.length === 0
  ) {
    lines.push('No host was changed: every host runs what it ran before.');
  }
  if (!result.ok && result.migratedOn && result.restored.includes(result.migratedOn)) {
    lines.push(
      `The migration ran on ${code(result.migratedOn)}: putting the images back does not undo schema changes.`,
    );
  }
  if (result.healthUrl) {
    lines.push(`health_url: ${escapeText(result.healthUrl.detail)}${result.healthUrl.ok ? '' : ' (failed)'}`);
  }
  if (result.logTail) {
    lines.push(`Last lines of the failing service's logs on ${code(result.failedHost ?? '?')}:`);
    lines.push(`\`\`\`${escapeText(truncate(result.logTail, 1500), 'code')}\`\`\``);
  }
  return lines;
}

/** Plain text of the outcome, for the audit log and approval cards (no mrkdwn). */
export function outcomeSummary(app: string, env: string, result: RolloutResult): string {
  if (result.ok)
    return `${app} ${env}: every host (${result.updated.join(', ')}) runs release ${result.release.id}`;
  const where = result.failedHost ? `${result.failedHost} failed` : 'failed';
  const back = result.restored.length > 0 ? `; put back: ${result.restored.join(', ')}` : '';
  const stuck =
    result.notRestored.length > 0
      ? `; NOT put back: ${result.notRestored.map((p) => p.host).join(', ')}`
      : '';
  const still = result.updated.length > 0 ? `; on the new release: ${result.updated.join(', ')}` : '';
  return `${app} ${env}: ${where}: ${result.reason ?? 'no reason given'}${back}${stuck}${still}`;
}

/** The few words the line ends with: where it failed and why, or where the release runs. */
function shortReason(view: DropletRolloutView): string {
  const { result } = view;
  if (!result) return escapeText(view.error ?? 'stopped');
  if (result.ok) {
    const health = result.healthUrl ? ', health_url ok' : '';
    return `${plural(result.updated.length, 'host')} on ${code(view.releaseId)}${health}`;
  }
  const stuck =
    result.notRestored.length > 0 ? ` (${plural(result.notRestored.length, 'host')} not put back)` : '';
  const where = result.failedHost ? `${code(result.failedHost)} failed` : 'failed';
  return `${where}${stuck}: ${escapeText(result.reason ?? 'no reason given')}`;
}

/** While it runs: the hosts under way and their step, how many are done. */
function runningStatus(view: DropletRolloutView): string {
  if (view.envStep) return STEP_WORDS[view.envStep];
  if (view.hosts.length === 0) return 'checking every host first';
  const ended = new Set<RolloutEvent['step']>(['host_done', 'host_failed']);
  const moving = view.hosts.filter(([, s]) => !ended.has(s.step));
  const done = view.hosts.filter(([, s]) => s.step === 'host_done').length;
  const now = moving.slice(0, 2).map(([host, s]) => `${code(host)} ${STEP_WORDS[s.step]}`);
  if (moving.length > 2) now.push(`${moving.length - 2} more`);
  return [...now, `${done} of ${plural(view.hosts.length, 'host')} done`].join('; ');
}

/** The rollout's line in the channel (one section), edited as it moves; its text stays "<title>: running|done|failed". */
export function dropletLineMessage(view: DropletRolloutView): { text: string; blocks: KnownBlock[] } {
  const title = rolloutTitle(view);
  const finished = view.result !== undefined || view.error !== undefined;
  const ok = view.result?.ok === true;
  const elapsed = formatDuration(Math.max(0, view.now - view.startedAt));
  const line = finished
    ? endedLine({
        ok,
        title: escapeText(title),
        doneTitle: escapeText(`${DONE_TITLES[view.kind]} ${view.app} ${view.env}`),
        note: '(Droplets)',
        reason: shortReason(view),
        elapsed,
      })
    : `:hourglass_flowing_sand: *${escapeText(title)}* (Droplets): ${runningStatus(view)}, ${elapsed}`;
  const state = !finished ? 'running' : ok ? 'done' : 'failed';
  return {
    text: `${title}: ${state}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(line, 2900) } }],
  };
}
