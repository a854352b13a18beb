import { counts, describe, tables } from '../handlers/query/catalog.js';
import { runQuery } from '../handlers/query/run.js';
import { QueryScheduler } from '../handlers/query/scheduler.js';
import { type Clock, systemClock } from '../src/clock.js';
import { POOL_SIZE } from '../src/db/connection-options.js';
import type { DatabasePools } from '../src/db/pools.js';
import { usageError } from '../src/errors.js';
import { renderCatalog, renderQueryResult } from '../src/render/query.js';
import { resolveDatabase } from './args.js';
import type { CommandContext, CommandDef, CommandOutcome } from './types.js';

const USAGE = [
  '/query <db> <select...>',
  '/query <db> tables',
  '/query <db> counts',
  '/query <db> describe <table>',
];
const MAX_SQL_CHARS = 20_000;
/** The audit entry keeps the SQL; very long statements are cut there (the command text has it all). */
const AUDIT_SQL_CHARS = 4_000;

export type QueryArgs = { database: string } & (
  | { kind: 'sql'; sql: string }
  | { kind: 'tables' }
  | { kind: 'counts' }
  | { kind: 'describe'; table: string }
);

export interface QueryCommandDeps {
  pools: DatabasePools;
  clock?: Clock;
}

/** Per person: statements running at once, and statements waiting behind them. */
export const PER_USER_RUNNING = 2;
export const PER_USER_WAITING = 5;

/**
 * Slack sends slash-command text with &, < and > HTML-escaped, and some clients turn
 * quotes into typographic ones; SQL needs the characters that were typed. People also
 * paste SQL inside a code span or block.
 */
export function normalizeSqlText(text: string): string {
  let s = text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .trim();
  const fenced = /^```(?:sql)?\s*([\s\S]*?)\s*```$/i.exec(s) ?? /^`([^`]+)`$/.exec(s);
  if (fenced?.[1]) s = fenced[1].trim();
  return s;
}

const TABLE_NAME = /^(?:[A-Za-z_][\w$]*|"[^"]+"|`[^`]+`)(?:\.(?:[A-Za-z_][\w$]*|"[^"]+"|`[^`]+`))?$/;

export function parseQueryArgs(text: string, databases: Record<string, unknown>): QueryArgs {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const database = match?.[1];
  if (!database) throw usageError('Name a database and a query.', USAGE[0] ?? '');
  resolveDatabase(databases, database, USAGE[0] ?? '');
  const rest = normalizeSqlText(match?.[2] ?? '');
  if (rest === '') throw usageError(`What should run on \`${database}\`?`, USAGE[0] ?? '');
  const words = rest.split(/\s+/);
  const first = words[0]?.toLowerCase();
  if (words.length === 1 && (first === 'tables' || first === 'counts')) return { database, kind: first };
  if (first === 'describe' && words.length === 2) {
    const table = words[1] ?? '';
    if (!TABLE_NAME.test(table)) throw usageError(`\`${table}\` is not a table name.`, USAGE[3] ?? '');
    return { database, kind: 'describe', table };
  }
  if (rest.length > MAX_SQL_CHARS) {
    throw usageError(
      `The statement is ${rest.length} characters; the limit is ${MAX_SQL_CHARS}.`,
      USAGE[0] ?? '',
    );
  }
  return { database, kind: 'sql', sql: rest };
}

export function queryCommand(deps: QueryCommandDeps): CommandDef<QueryArgs> {
  const clock = deps.clock ?? systemClock;
  // One scheduler per database: its pool is what the statements share.
  const schedulers = new Map<string, QueryScheduler>();
  const schedulerFor = (database: string) => {
    let s = schedulers.get(database);
    if (!s) {
      s = new QueryScheduler({ perUser: PER_USER_RUNNING, queuePerUser: PER_USER_WAITING, total: POOL_SIZE });
      schedulers.set(database, s);
    }
    return s;
  };
  return {
    name: 'query',
    schedulesItself: true,
    usage: USAGE,
    summary: 'Read-only query on a database: SELECT, tables, row counts, describe',
    audited: true,
    parse: (text, config) => parseQueryArgs(text, config.databases),
    access: (args) => ({ action: 'query', database: args.database }),
    target: (args) => ({ database: args.database }),
    run: (ctx, args) => schedulerFor(args.database).run(ctx.invocation.user, () => runCommand(ctx, args)),
  };

  async function runCommand(ctx: CommandContext, args: QueryArgs): Promise<CommandOutcome> {
    const db = deps.pools.get(args.database);
    const log = ctx.log.child({ database: args.database, kind: args.kind });
    if (args.kind !== 'sql') {
      const started = clock.now();
      const result =
        args.kind === 'tables'
          ? await tables(db)
          : args.kind === 'counts'
            ? await counts(db)
            : await describe(db, args.table);
      await ctx.reply.inChannel(renderCatalog(args.database, result));
      const durationMs = clock.now() - started;
      return {
        result: 'succeeded',
        detail: `${args.kind}${args.kind === 'describe' ? ` ${args.table}` : ''} in ${durationMs} ms`,
        data: { database: args.database, kind: args.kind, durationMs },
      };
    }
    const result = await runQuery(db, args.sql, clock);
    const rendered = renderQueryResult(
      result,
      {
        maxRows: db.config.max_rows,
        maxCellBytes: db.config.max_cell_bytes,
        maxResultBytes: db.config.max_result_bytes,
      },
      new Date(clock.now()),
    );
    if (rendered.file) await ctx.slack.uploadFile(ctx.invocation.channel, rendered.file);
    else await ctx.reply.inChannel(rendered.message);
    const masked = result.columns.filter((c) => c.masked).map((c) => c.name);
    // Counts and names only: result values never reach the log or the audit entry.
    log.info(
      {
        rows: result.rowCount,
        durationMs: result.durationMs,
        capped: result.capped,
        csv: Boolean(rendered.file),
        masked,
      },
      'query ran',
    );
    const cappedNote = result.capped
      ? ` (capped at ${result.capped === 'rows' ? 'max_rows' : 'max_result_bytes'})`
      : '';
    return {
      result: 'succeeded',
      detail: `${result.rowCount} rows in ${result.durationMs} ms${cappedNote}`,
      data: {
        database: args.database,
        sql: result.sql.length > AUDIT_SQL_CHARS ? `${result.sql.slice(0, AUDIT_SQL_CHARS)}…` : result.sql,
        rows: result.rowCount,
        durationMs: result.durationMs,
        capped: result.capped !== null,
        csv: Boolean(rendered.file),
        ...(masked.length > 0 ? { masked: masked.join(',') } : {}),
        ...(result.cutCells > 0 ? { cutCells: result.cutCells } : {}),
      },
    };
  }
}
