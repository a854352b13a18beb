import type { KnownBlock } from '@slack/types';
import type { CatalogResult } from '../../handlers/query/catalog.js';
import { codeBlocks, tableLines } from '../../handlers/query/render-table.js';
import type { QueryResult } from '../../handlers/query/run.js';
import type { FileUpload, SlackMessage } from '../slack/reply.js';
import { escapeText, formatDuration } from './format.js';

/** Slack's section text limit is 3,000 characters; a little is left for the fences. */
const BLOCK_CHARS = 2_900;
/** More table blocks than this and the result goes to a CSV file instead. */
const MAX_TABLE_BLOCKS = 4;
export const INLINE_ROWS = 50;
export const PREVIEW_ROWS = 10;

export interface RenderedQuery {
  message: SlackMessage;
  /** Set when the result is too big for a message: upload it, with the message as its comment. */
  file?: FileUpload;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function cellWidth(columnCount: number): number {
  // A single column (EXPLAIN plans, SHOW CREATE) is read line by line; cut it later.
  return columnCount === 1 ? 200 : 40;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

export interface ResultLimits {
  maxRows: number;
  maxCellBytes: number;
  maxResultBytes: number;
}

export function summaryLine(result: QueryResult, limits: ResultLimits): string {
  const { maxRows, maxCellBytes, maxResultBytes } = limits;
  const parts = [
    `*${result.database}*`,
    `${plural(result.rowCount, 'row')} in ${formatDuration(result.durationMs)}`,
  ];
  if (result.capped === 'rows')
    parts.push(`stopped at max_rows (${maxRows}); add a WHERE or LIMIT to see the rest`);
  if (result.capped === 'size')
    parts.push(
      `stopped at max_result_bytes (${formatBytes(maxResultBytes)} of values); select fewer columns or rows`,
    );
  if (result.cutCells > 0)
    parts.push(`${plural(result.cutCells, 'value')} cut at max_cell_bytes (${formatBytes(maxCellBytes)})`);
  const masked = result.columns.filter((c) => c.masked).map((c) => c.name);
  // Column names come from the statement: escaped like any text from outside.
  if (masked.length > 0) parts.push(`masked: ${escapeText(masked.join(', '))}`);
  return parts.join(' · ');
}

function sqlContext(sql: string): KnownBlock {
  const shown = sql.length > 300 ? `${sql.slice(0, 299)}…` : sql;
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `\`${escapeText(shown.replace(/\s+/g, ' '), 'code')}\`` }],
  };
}

export function renderQueryResult(result: QueryResult, limits: ResultLimits, now: Date): RenderedQuery {
  const summary = summaryLine(result, limits);
  const names = result.columns.map((c) => c.name);
  const width = cellWidth(names.length);
  const blocks = codeBlocks(tableLines(names, result.rows, { maxCellWidth: width }), BLOCK_CHARS);
  if (result.rowCount <= INLINE_ROWS && blocks.length <= MAX_TABLE_BLOCKS) {
    return {
      message: {
        text: summary,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: summary } },
          ...blocks.map((b): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: b } })),
          sqlContext(result.sql),
        ],
      },
    };
  }
  const preview =
    codeBlocks(
      tableLines(names, result.rows.slice(0, PREVIEW_ROWS), { maxCellWidth: width }),
      BLOCK_CHARS,
    )[0] ?? '';
  const firstRows = `First ${Math.min(PREVIEW_ROWS, result.rowCount)} rows; all ${plural(result.rowCount, 'row')} in the CSV file:`;
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    message: { text: `${summary}\n${firstRows}\n${preview}` },
    file: {
      filename: `${result.database}-${stamp}.csv`,
      title: `${result.database}: ${plural(result.rowCount, 'row')}`,
      content: result.csv.toBuffer(),
      initialComment: `${summary}\n${firstRows}\n${preview}`,
    },
  };
}

export function renderCatalog(database: string, result: CatalogResult): SlackMessage {
  const title = `*${database}* · ${escapeText(result.title)}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: title } }];
  for (const section of result.sections) {
    if (section.heading)
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeText(section.heading)}*` } });
    if (section.rows.length === 0 && section.heading) continue;
    const lines = tableLines(section.columns, section.rows, { maxCellWidth: 60 });
    // Long catalogs keep their first blocks; Slack allows 50 blocks per message.
    for (const b of codeBlocks(lines, BLOCK_CHARS).slice(0, 20)) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: b } });
    }
  }
  if (result.note) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: result.note }] });
  return { text: title, blocks };
}
