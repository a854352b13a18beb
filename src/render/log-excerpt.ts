import type { KnownBlock } from '@slack/types';
import type { FailureExcerpt } from '../../handlers/logs/failure.js';
import { escapeText, truncate } from './format.js';
import { codeSpan } from './logs.js';

/** Button that runs `/logs <value>` for the clicker (handled in commands/buttons.ts). */
export const ACTION_LOGS_COMMAND = 'logs.command';

export function logsButton(text: string, commandText: string) {
  return {
    type: 'button' as const,
    action_id: ACTION_LOGS_COMMAND,
    text: { type: 'plain_text' as const, text: truncate(text, 75) },
    value: commandText,
  };
}

/** In a deployment message a log line is cut; the full line is in the file. */
const LINE_CHARS = 160;
const inline = codeSpan;
const fence = (lines: string[]) =>
  `\`\`\`${lines.map((l) => escapeText(truncate(l, LINE_CHARS), 'code')).join('\n')}\`\`\``;

/** `/logs` text that shows the whole log of the failing component as a file. */
export function fullLogCommand(
  target: { app: string; env: string },
  excerpt: FailureExcerpt,
): string | undefined {
  if (excerpt.log === 'JOB_INVOCATION') return undefined;
  const component = excerpt.failing.component ? ` --component ${excerpt.failing.component}` : '';
  return `${target.app} ${target.env} ${excerpt.log.toLowerCase()} --deployment ${excerpt.deploymentId}${component} --lines 1000 --file`;
}

/**
 * The explanation as mrkdwn that fits in `maxChars` (a section holds 3,000): the
 * failing step, the error lines, then as many of the last lines as fit.
 */
export function failureExcerptText(excerpt: FailureExcerpt, maxChars = 2000): string {
  const { failing } = excerpt;
  const where = failing.component ? ` of component ${inline(failing.component)}` : '';
  const why = failing.reason ? `: ${escapeText(truncate(failing.reason, 300))}` : '';
  const head = `:mag: *Why it failed:* step ${inline(failing.step)}${where}${why}`;
  const logName =
    excerpt.log === 'JOB_INVOCATION'
      ? `job ${inline(failing.component ?? '?')}`
      : `${excerpt.log} log${where}`;
  if (excerpt.missing) return `${head}\n_No log lines to show: ${escapeText(excerpt.missing)}._`;
  const parts = [head];
  if (excerpt.errors.length > 0) parts.push('Error lines:', fence(excerpt.errors));
  let tail = excerpt.tail;
  const render = () => [...parts, `Last ${tail.length} lines of the ${logName}:`, fence(tail)].join('\n');
  while (tail.length > 1 && render().length > maxChars) tail = tail.slice(1);
  return truncateFenced(render(), maxChars);
}

/** Never cut inside a code block: a cut fence would turn the rest of the message into code. */
function truncateFenced(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 4);
  const open = (cut.match(/```/g) ?? []).length % 2 === 1;
  return `${cut}…${open ? '```' : ''}`;
}

/** As blocks of their own: the explanation, and a button for the full log as a file. */
export function failureExcerptBlocks(
  target: { app: string; env: string },
  excerpt: FailureExcerpt,
): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: failureExcerptText(excerpt, 2900) } },
  ];
  const command = fullLogCommand(target, excerpt);
  if (command && !excerpt.missing) {
    blocks.push({ type: 'actions', elements: [logsButton('Full log as a file', command)] });
  }
  return blocks;
}
