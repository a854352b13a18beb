import { formatAge } from '../../handlers/backup/format.js';
import { ms } from '../../handlers/health/limits.js';
import type {
  EnvHealth,
  HealthReport,
  HealthState,
  HostView,
  ProbeHealth,
} from '../../handlers/health/types.js';
import { shortDigest } from '../registry/image.js';
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
  const row = `${MARK[e.state]} ${`${e.app}/${e.env}`.padEnd(width)}  ${cells.join(' · ') || 'nothing to check'}`;
  return [row, ...(e.hosts ?? []).map(hostRow)].join('\n');
}

/** What a host runs: `backend 0123456789ab frontend 89abcdef0123 (v2)`; tags once when they agree. */
function hostRelease(h: HostView): string {
  if (h.services.length === 0) return 'no release';
  const tags = new Set(h.services.map((s) => s.tag ?? ''));
  const oneTag = tags.size === 1 ? [...tags][0] : undefined;
  const parts = h.services.map(
    (s) => `${s.service} ${shortDigest(s.digest)}${oneTag === undefined && s.tag ? `:${s.tag}` : ''}`,
  );
  return `${parts.join(' ')}${oneTag ? ` (${oneTag})` : ''}`;
}

/** A Droplet host under its env: reachable, release, container health, and why it is flagged. */
function hostRow(h: HostView): string {
  const mark = h.flags.length > 0 ? MARK.bad : MARK.good;
  const state = !h.reachable
    ? `unreachable: ${h.detail}`
    : hostRelease(h) + (h.healthy ? ' · healthy' : ` · unhealthy: ${h.detail}`);
  const flag = h.flags.includes('other release') ? ' ⚠ other release' : '';
  return escapeText(`    ${mark} ${h.host}  ${state}${flag}`, 'code');
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
  return { text, blocks: mrkdwnSections(text) };
}

/**
 * Section blocks of at most 3,000 characters (Slack's limit), cut between lines; a
 * code block cut in two is closed and reopened, so host rows never spill out of it.
 * At most `maxBlocks` (Slack allows 50 per message); what does not fit is said.
 */
export function mrkdwnSections(text: string, maxBlocks = 45) {
  const LIMIT = 3000;
  const fence = '```';
  const chunks: string[] = [];
  let current = '';
  let inCode = false;
  for (const raw of text.split('\n')) {
    // Lines are short, but a hostile one could be long: never let one line exceed a block.
    const line = raw.length > LIMIT - 10 ? `${raw.slice(0, LIMIT - 11)}…` : raw;
    const opens = (line.match(/```/g)?.length ?? 0) % 2 === 1;
    const closeHere = inCode ? fence : '';
    if (current && current.length + 1 + line.length + closeHere.length > LIMIT) {
      chunks.push(current + closeHere);
      current = inCode ? fence + line : line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
    if (opens) inCode = !inCode;
  }
  if (current) chunks.push(current);
  const kept = chunks.slice(0, maxBlocks);
  if (chunks.length > maxBlocks)
    kept.push(`_${chunks.length - maxBlocks} more parts left out; ask /health <app> for one app._`);
  return kept.map((t) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: t } }));
}
