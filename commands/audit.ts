import type { AuditEntry, AuditLog } from '../src/audit/types.js';
import { usageError } from '../src/errors.js';
import { escapeText, mention, slackDate, truncate } from '../src/render/format.js';
import { resolveApp, tokenize, typed } from './args.js';
import type { CommandDef } from './types.js';

const USAGE = ['/audit [app] [@user] [--limit N]', '/audit verify'];

export type AuditArgs = { verify: true } | { verify: false; app?: string; user?: string; limit: number };

/** One /audit line; what people typed and what happened are escaped here. */
export function auditLine(e: AuditEntry): string {
  const when = slackDate(e.at, '{date_short} {time}');
  const who = mention(e.actor);
  const what = e.command ? `\`${escapeText(e.command, 'code')}\`` : e.action;
  const took = e.durationMs !== undefined ? ` (${Math.round(e.durationMs / 100) / 10} s)` : '';
  const detail = e.detail ? `: ${escapeText(truncate(e.detail, 120))}` : '';
  return `${when} ${who} ${what} → *${e.result}*${took}${detail}`;
}

export function auditCommand(deps: { audit: AuditLog }): CommandDef<AuditArgs> {
  return {
    name: 'audit',
    usage: USAGE,
    summary: 'Show recent audit entries or verify the audit log',
    audited: false,
    parse(text, config) {
      const { words, flags } = tokenize(text, { valueFlags: ['limit'], usage: USAGE[0] ?? '' });
      if (words[0] === 'verify') return { verify: true };
      const limitFlag = flags.get('limit');
      const limit = limitFlag === undefined ? 20 : Number(limitFlag);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
        throw usageError('`--limit` takes a whole number from 1 to 200.', USAGE[0] ?? '');
      }
      const args: AuditArgs = { verify: false, limit };
      for (const word of words) {
        const mention = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^@?([UW][A-Z0-9]{2,})$/.exec(word);
        if (mention?.[1]) args.user = mention[1];
        else if (args.app === undefined) args.app = resolveApp(config, word, USAGE[0] ?? '')[0];
        else throw usageError(`Unexpected ${typed(word)}.`, USAGE[0] ?? '');
      }
      return args;
    },
    access: () => ({ action: 'audit' }),
    target: (args) => (args.verify || !args.app ? {} : { app: args.app }),
    async run(ctx, args) {
      if (args.verify) {
        const result = await deps.audit.verify();
        const missing = result.historyMissing;
        const n = (v: number) => v.toLocaleString('en-US');
        const text = missing
          ? `:warning: The audit log's hash chain is intact from its anchor (${result.checked} entries checked), but history before it is missing: ` +
            `the log holds entries ${n(missing.first)}–${n(missing.last)}; the anchor of ${missing.anchorAt.replace('T', ' ').slice(0, 16)} expected ${n(missing.expectedBefore)} earlier entries.`
          : result.ok
            ? `:white_check_mark: The audit log's hash chain is intact (${result.checked} entries checked).`
            : `:rotating_light: The audit log's hash chain is broken at entry ${result.brokenAt?.id}: ${result.brokenAt?.reason}. ` +
              `Entries were changed or removed outside dockside; tell whoever runs dockside.`;
        await ctx.reply.ephemeral({ text });
        return undefined;
      }
      const entries = await deps.audit.list({
        limit: args.limit,
        ...(args.app ? { app: args.app } : {}),
        ...(args.user ? { user: args.user } : {}),
      });
      const filter = [args.app, args.user ? `<@${args.user}>` : undefined].filter(Boolean).join(', ');
      const head = `*Last ${entries.length} audit entries${filter ? ` for ${filter}` : ''}* (newest first)`;
      const body = entries.length > 0 ? entries.map(auditLine).join('\n') : '_No entries._';
      await ctx.reply.ephemeral({ text: truncate(`${head}\n${body}`, 3900) });
      return undefined;
    },
  };
}
