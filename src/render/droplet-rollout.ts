import type { KnownBlock } from '@slack/types';
import type { PlanKind, RolloutEvent, RolloutResult, ServiceChange } from '../../handlers/deploy/target.js';
import { shortDigest } from '../registry/image.js';
import { escapeText, formatDuration, truncate } from './format.js';

/**
 * The message that follows a Droplet rollout, host by host, and ends with its outcome.
 * Host names, digests, tags, reasons and log lines come from config, the registry and
 * the hosts themselves: every one of them is escaped before it becomes mrkdwn.
 */

export type HostState = { step: RolloutEvent['step']; detail?: string };

export interface DropletRolloutView {
  kind: PlanKind;
  app: string;
  env: string;
  user: string;
  releaseId: string;
  changes: ServiceChange[];
  /** Hosts in the order they were first reported, with their last step. */
  hosts: Array<[string, HostState]>;
  /** The last env-wide step (health_url), if any. */
  envStep?: RolloutEvent['step'];
  startedAt: number;
  now: number;
  /** Lines shown under the title (who approved, the command). Already mrkdwn-safe. */
  lines?: string[];
  result?: RolloutResult;
  /** The run stopped on an error before it had a result (stale plan, already running, Redis). */
  error?: string;
}

const TITLES: Record<PlanKind, string> = {
  deploy: 'Deploying',
  promote: 'Promoting to',
  rollback: 'Rolling back',
};

const STEP_WORDS: Record<RolloutEvent['step'], string> = {
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

const code = (text: string) => `\`${escapeText(text, 'code')}\``;

function side(d: { digest: string; tag?: string } | undefined): string {
  if (!d) return 'nothing';
  return `${code(shortDigest(d.digest))}${d.tag ? ` (${escapeText(d.tag)})` : ''}`;
}

function changeLine(c: ServiceChange): string {
  const service = escapeText(c.service);
  if (c.from?.digest === c.to.digest) return `${service}: ${side(c.to)} unchanged`;
  return `${service}: ${side(c.from)} → ${side(c.to)}`;
}

function hostLine([host, state]: [string, HostState]): string {
  const icon =
    state.step === 'host_done' ? ':white_check_mark:' : state.step === 'host_failed' ? ':x:' : ':hourglass:';
  return `${icon} ${code(host)}: ${STEP_WORDS[state.step]}`;
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

export function dropletRolloutMessage(view: DropletRolloutView): { text: string; blocks: KnownBlock[] } {
  const verb = TITLES[view.kind];
  const target = `${view.app} ${view.env}`;
  const finished = view.result !== undefined || view.error !== undefined;
  const ok = view.result?.ok === true;
  const state = !finished ? 'running' : ok ? 'done' : 'failed';
  const icon = !finished ? ':hourglass_flowing_sand:' : ok ? ':white_check_mark:' : ':x:';
  const elapsed = formatDuration(Math.max(0, view.now - view.startedAt));
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${icon} *${escapeText(`${verb} ${target}`)}* (Droplets): ${state}, ${elapsed}`,
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(`Requested by <@${view.user}> · release ${code(view.releaseId)}`, 2900),
        },
      ],
    },
  ];
  const top = [...(view.lines ?? []), ...view.changes.map(changeLine)];
  if (top.length > 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(top.join('\n'), 2900) } });
  if (view.hosts.length === 0 && !view.envStep && !finished) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ':hourglass: checking every host first' } });
  }
  if (view.hosts.length > 0 || view.envStep) {
    const hostLines = view.hosts.map(hostLine);
    if (view.envStep && !finished) hostLines.push(`:hourglass: ${STEP_WORDS[view.envStep]}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(hostLines.join('\n'), 2900) } });
  }
  if (view.result) {
    const lines = outcomeLines(view, view.result);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 2900) } });
  } else if (view.error) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeText(view.error), 2900) } });
  }
  return { text: `${verb} ${target}: ${state}`, blocks };
}
