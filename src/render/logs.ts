import type { KnownBlock } from '@slack/types';
import type { LogsKind, LogsResult } from '../../handlers/logs/read.js';
import { codeBlocks } from '../../handlers/query/render-table.js';
import type { FileUpload, SlackMessage } from '../slack/reply.js';
import { escapeText, shortId } from './format.js';

/** Slack's section text limit is 3,000 characters; a little is left for the fences. */
const BLOCK_CHARS = 2_900;
/** More code blocks than this and the lines go to a file instead. */
const MAX_BLOCKS = 4;

export interface LogsView {
  app: string;
  env: string;
  type: LogsKind;
  component?: string;
  lines: number;
  grep?: string;
  /** Always as a file (`--file`). */
  asFile?: boolean;
}

/** Text from outside as an inline code span: no backtick may end it early, nothing pings. */
export const codeSpan = (s: string) => `\`${escapeText(s, 'code')}\``;
const inline = codeSpan;

export function logsHeader(view: LogsView, result: LogsResult): string {
  const which = result.active
    ? `active deployment ${inline(shortId(result.deployment.id))}`
    : `deployment ${inline(shortId(result.deployment.id))} (${result.deployment.phase})`;
  const parts =
    view.type === 'JOB_INVOCATION'
      ? [
          `:page_facing_up: *${escapeText(view.app)} ${escapeText(view.env)}* log of job ${inline(view.component ?? '?')}`,
          `invocation ${inline(shortId(result.invocation?.id ?? '?'))} (${result.invocation?.phase ?? 'UNKNOWN'}) of ${which}`,
        ]
      : [
          `:page_facing_up: *${escapeText(view.app)} ${escapeText(view.env)}* ${view.type} log`,
          view.component ? `component ${inline(view.component)}` : 'all components',
          which,
        ];
  if (view.grep) {
    parts.push(
      `lines matching ${inline(view.grep)}: ${result.matched} of ${result.scanned} read, last ${result.lines.length} shown`,
    );
  } else {
    parts.push(`last ${result.lines.length} lines`);
  }
  return parts.join(' · ');
}

function notes(view: LogsView, result: LogsResult): string[] {
  const out: string[] = [];
  if (result.source === 'none') out.push('DigitalOcean has no text for this log (yet).');
  else if (result.lines.length === 0) {
    out.push(view.grep ? 'No line matches.' : 'The log is empty.');
  }
  if (result.truncated)
    out.push('Only the end of the log was read (the first lines shown may follow a gap).');
  if (result.endMissing)
    out.push(':warning: The log was larger than dockside reads; its newest lines may be missing.');
  if (result.source === 'live') out.push('Read from the live stream for a few seconds.');
  return out;
}

export interface RenderedLogs {
  message: SlackMessage;
  /** Set when the lines are too many for a message (or a file was asked for). */
  file?: FileUpload;
}

/** The lines in code blocks under a header; as a file with the header as its comment when they do not fit. */
export function renderLogs(view: LogsView, result: LogsResult): RenderedLogs {
  const header = logsHeader(view, result);
  const extra = notes(view, result);
  const headText = [header, ...extra.map((n) => `_${n}_`)].join('\n');
  const text = `${view.app} ${view.env} ${view.type === 'JOB_INVOCATION' ? `job ${view.component ?? ''}` : view.type} log`;
  const blocks = codeBlocks(result.lines, BLOCK_CHARS);
  if (!view.asFile && blocks.length <= MAX_BLOCKS) {
    return {
      message: {
        text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: headText } },
          ...blocks.map((b): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: b } })),
        ],
      },
    };
  }
  const name = [
    view.app,
    view.env,
    view.type === 'JOB_INVOCATION' ? 'job' : view.type.toLowerCase(),
    view.component,
    shortId(result.deployment.id),
  ]
    .filter(Boolean)
    .join('-');
  return {
    message: { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: headText } }] },
    file: {
      filename: `${name}.log`,
      title: `${view.app} ${view.env} ${view.type} log (${result.lines.length} lines)`,
      content: result.lines.length > 0 ? `${result.lines.join('\n')}\n` : '',
      initialComment: `${headText}\n_${result.lines.length} lines as a file${view.asFile ? '' : ': more than a message holds'}._`,
    },
  };
}
