import type { DeploymentPhase } from '../do/port.js';

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * Durations as people say them: "850 ms", "1.5 s", "1 min 35 s", "3 h 12 min", "2 d 4 h".
 * Zero parts are left out ("24 h", "5 min").
 */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 1000) return `${Math.round(t)} ms`;
  if (t < 60_000) {
    const s = t / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  }
  const two = (a: number, unitA: string, b: number, unitB: string) =>
    b === 0 ? `${a} ${unitA}` : `${a} ${unitA} ${b} ${unitB}`;
  const seconds = Math.floor(t / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return two(minutes, 'min', seconds % 60, 's');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return two(hours, 'h', minutes % 60, 'min');
  return two(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

export function phaseIcon(phase: DeploymentPhase): string {
  switch (phase) {
    case 'ACTIVE':
      return ':white_check_mark:';
    case 'ERROR':
      return ':x:';
    case 'CANCELED':
      return ':no_entry_sign:';
    case 'SUPERSEDED':
      return ':arrow_heading_up:';
    default:
      return ':hourglass_flowing_sand:';
  }
}

/**
 * Lookalikes for Slack's formatting markers. Slack has no escape for `*`, `_`, `~` and
 * backticks, so text from outside could bold, strike or open a code span in our message;
 * a lookalike reads the same and formats nothing.
 */
const MARKERS: Record<string, string> = { '*': '\u2217', _: '\u02cd', '~': '\u223c', '`': '\u02cb' };

const WORD = /[\p{L}\p{N}]/u;

/**
 * The one escape for text that came from outside (a person, a database, a log,
 * DigitalOcean, GitHub) before it is put into Slack mrkdwn. `&`, `<` and `>` become
 * entities, so `<!channel>`, `<!here>`, `<@U123>` and `<http://x|y>` show as typed and
 * neither ping nor link. In running text the formatting markers at word edges become lookalikes; inside
 * a code span or block (`code`) only a backtick could break out, so the rest stays as typed.
 */
export function escapeText(text: string, where: 'text' | 'code' = 'text'): string {
  const entities = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return where === 'code'
    ? entities.replace(/`/g, MARKERS['`'] ?? '')
    : entities.replace(/[*_~`]/g, (m, at: number, all: string) =>
        // Slack formats only at word edges, so `pg_dump` stays as typed; a backtick opens code anywhere.
        m !== '`' && WORD.test(all[at - 1] ?? '') && WORD.test(all[at + 1] ?? '') ? m : (MARKERS[m] ?? m),
      );
}

/**
 * The text of mrkdwn that dockside wrote (a DocksideError's message and hint), as plain
 * text for a log, an audit entry or a CSV cell, where the renderer escapes it again: the
 * entities escapeText made become the characters they stand for, so nothing is escaped twice.
 */
export function plainText(mrkdwn: string): string {
  return mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** A time as Slack shows it in each reader's own time zone; the ISO text is the fallback. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeText(iso);
  const plain = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<!date^${Math.floor(ms / 1000)}^${format}|${plain}>`;
}

/** `<@U0ALICE>` for a Slack user id; dockside's own actions are signed "dockside". */
export function mention(user: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : escapeText(user);
}

/** "1 table", "2 tables": counts in words a person would write. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
