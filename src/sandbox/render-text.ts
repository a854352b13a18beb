import { SANDBOX_USERS } from './config.js';
import { type ButtonRef, buttonsOf } from './slack-driver.js';

const NAMES = new Map<string, string>(Object.entries(SANDBOX_USERS).map(([name, id]) => [id, name]));

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  x: '❌',
  hourglass_flowing_sand: '⏳',
  no_entry_sign: '🚫',
  no_entry: '⛔',
  arrow_heading_up: '⤴️',
  large_green_circle: '🟢',
  red_circle: '🔴',
  warning: '⚠️',
  lock: '🔒',
  unlock: '🔓',
  raised_hand: '✋',
  gear: '⚙️',
  alarm_clock: '⏰',
  heavy_multiplication_x: '✖️',
  rewind: '⏪',
  pushpin: '📌',
  rotating_light: '🚨',
  mag: '🔍',
  hourglass: '⌛',
  page_facing_up: '📄',
  floppy_disk: '💾',
  grey_question: '❔',
  zzz: '💤',
};

/** Slack mrkdwn as a terminal shows it: mentions by name, links as `label (url)`. */
export function mrkdwnToText(text: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g, (_, id: string) => `@${NAMES.get(id) ?? id}`)
    .replace(
      /<#([CG][A-Z0-9]+)(\|[^>]*)?>/g,
      (_, id: string) => `#${id === 'C0OPS' ? 'ops' : id === 'C0DEV' ? 'dev' : id}`,
    )
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/:([a-z_]+):/g, (whole, name: string) => EMOJI[name] ?? whole)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

type Block = {
  type?: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ type?: string; text?: string | { text?: string } }>;
};

/** A message's blocks as plain lines (buttons are listed separately with numbers). */
export function blocksToLines(message: { text: string; blocks: unknown[] }): string[] {
  const blocks = message.blocks as Block[];
  if (blocks.length === 0) return mrkdwnToText(message.text).split('\n');
  const lines: string[] = [];
  for (const block of blocks) {
    if (block.type === 'section' || block.type === 'header') {
      if (block.text?.text) lines.push(...mrkdwnToText(block.text.text).split('\n'));
      for (const f of block.fields ?? []) if (f.text) lines.push(mrkdwnToText(f.text));
    } else if (block.type === 'context') {
      for (const el of block.elements ?? []) {
        const t = typeof el.text === 'string' ? el.text : el.text?.text;
        if (t) lines.push(`  ${mrkdwnToText(t)}`);
      }
    } else if (block.type === 'divider') {
      lines.push('  ---');
    }
  }
  return lines;
}

export interface NumberedButton extends ButtonRef {
  n: number;
}

export function numberButtons(message: { blocks: unknown[] }, start: number): NumberedButton[] {
  return buttonsOf(message).map((b, i) => ({ ...b, n: start + i }));
}

/**
 * A posted message as the sandbox prints it. A thread reply is indented under its message
 * (`↳`), as Slack tucks replies away under the line in the channel; a reply also sent to the
 * channel (`reply_broadcast`) says so.
 */
export function postedToText(
  message: { text: string; blocks: unknown[]; thread_ts?: string; ts: string; reply_broadcast?: boolean },
  where: string,
  label: string,
): { text: string; indent: string } {
  const lines = blocksToLines(message);
  const reply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  if (!reply) {
    return {
      text: `[${where}] ${label}${lines.map((l, i) => (i === 0 ? l : `\n    ${l}`)).join('')}`,
      indent: '    ',
    };
  }
  const head = message.reply_broadcast ? '↳ (also sent to the channel) ' : '↳ ';
  return {
    text: `      ${head}${label}${lines.map((l, i) => (i === 0 ? l : `\n          ${l}`)).join('')}`,
    indent: '          ',
  };
}
