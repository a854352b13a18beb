import type { DeploymentPhase } from '../do/port.js';

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** 95 s -> "1 min 35 s", 3 h -> "3 h 0 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
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
