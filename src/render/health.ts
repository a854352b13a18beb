import { formatAge } from '../../handlers/backup/format.js';
import { ms } from '../../handlers/health/limits.js';
import type { EnvHealth, HealthReport, HealthState, ProbeHealth } from '../../handlers/health/types.js';
import type { SlackMessage } from '../slack/reply.js';
import { escapeText, mention, plural } from './format.js';

/** Unicode rather than :emoji: codes, because the table is a code block (aligned columns). */
export const MARK: Record<HealthState, string> = { good: '✅', bad: '❌', unknown: '❔' };

function envRow(e: EnvHealth, width: number): string {
  // Inside a code block: only a backtick (and & < >) could break out.
  const cells = e.checks.map(
    (c) => `${c.name} ${escapeText(c.detail, 'code')}${c.state === 'bad' ? ' ✗' : ''}`,
  );
  if (e.pinnedDeploymentId) cells.push('pinned by rollback');
  return `${MARK[e.state]} ${`${e.app}/${e.env}`.padEnd(width)}  ${cells.join(' · ') || 'nothing to check'}`;
}

function probeCell(p: ProbeHealth): string {
  return `${MARK[p.state]} ${p.name} ${p.state === 'good' ? ms(p.latencyMs ?? 0) : escapeText(p.error ?? 'down')}`;
}

/** Counts what it knows: an env that could not be read is unknown, never counted as healthy. */
export function headline(envs: readonly EnvHealth[]): string {
  const count = (state: HealthState) => envs.filter((e) => e.state === state).length;
  const bad = count('bad');
  const unknown = count('unknown');
  const unknownPart = unknown > 0 ? `, ${unknown} unknown` : '';
  if (bad > 0) return `:x: *${bad} of ${envs.length} envs unhealthy${unknownPart}*`;
  if (unknown > 0) {
    return `:grey_question: *${count('good')} of ${envs.length} envs healthy, ${unknown} unknown* (could not be checked)`;
  }
  return `:white_check_mark: *${plural(envs.length, 'env')} healthy*`;
}

/** `/health [app]`: a compact table, bad envs first, then databases, Redis and locks. */
export function renderHealthReport(report: HealthReport, now: number): SlackMessage {
  const order: Record<HealthState, number> = { bad: 0, unknown: 1, good: 2 };
  const envs = [...report.envs].sort((a, b) => order[a.state] - order[b.state]);
  const width = Math.max(8, ...envs.map((e) => e.app.length + e.env.length + 1));
  const lines: string[] = [headline(envs)];
  if (envs.length > 0) lines.push(`\`\`\`${envs.map((e) => envRow(e, width)).join('\n')}\`\`\``);
  const probes = [...report.databases, report.redis].map(probeCell);
  lines.push(`Databases and Redis: ${probes.join('   ')}`);
  for (const w of report.databases.flatMap((d) => d.warnings ?? [])) lines.push(`:warning: ${escapeText(w)}`);
  for (const lock of report.locks) {
    const age = formatAge(now - Date.parse(lock.since));
    lines.push(
      `:lock: ${lock.app}/${lock.env} locked by ${mention(lock.by)} ${age} ago${lock.reason ? `: ${escapeText(lock.reason)}` : ''}`,
    );
  }
  for (const notice of report.notices ?? []) lines.push(`:warning: ${escapeText(notice)}`);
  lines.push(`_checked in ${ms(report.durationMs)}_`);
  const text = lines.join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] };
}
