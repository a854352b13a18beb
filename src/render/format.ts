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

/** Slack mrkdwn escaping for text that came from outside (causes, reasons, names). */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
