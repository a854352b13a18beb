import type { Clock } from '../src/clock.js';
import { usageError } from '../src/errors.js';
import type { LockStore } from '../src/locks/types.js';
import { formatDuration } from '../src/render/format.js';
import { resolveEnv, tokenize } from './args.js';
import type { CommandDef } from './types.js';

const LOCK_USAGE = '/lock <app> <env> [--for 2h] [reason]';
const UNLOCK_USAGE = '/unlock <app> <env>';

export interface LockArgs {
  app: string;
  env: string;
  reason: string;
  forMs?: number;
}

/** "90m", "2h", "1d" -> milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return n > 0 && n * unit <= 30 * 86_400_000 ? n * unit : null;
}

export function lockCommand(deps: { locks: LockStore; clock: Clock }): CommandDef<LockArgs> {
  return {
    name: 'lock',
    usage: [LOCK_USAGE],
    summary: 'Freeze deploys, promotions and rollbacks of an env',
    audited: true,
    parse(text, config) {
      const { words, flags } = tokenize(text, { valueFlags: ['for'], usage: LOCK_USAGE });
      const { app, env } = resolveEnv(config, words[0], words[1], LOCK_USAGE);
      const forText = flags.get('for');
      let forMs: number | undefined;
      if (typeof forText === 'string') {
        const parsed = parseDuration(forText);
        if (parsed === null)
          throw usageError('`--for` takes a duration such as 90m, 2h or 1d (at most 30d).', LOCK_USAGE);
        forMs = parsed;
      }
      const reason = words.slice(2).join(' ').trim() || 'no reason given';
      return { app, env, reason, ...(forMs ? { forMs } : {}) };
    },
    access: (args) => ({ action: 'lock', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const now = deps.clock.now();
      await deps.locks.lock({
        app: args.app,
        env: args.env,
        by: ctx.invocation.user,
        reason: args.reason,
        since: new Date(now).toISOString(),
        ...(args.forMs ? { expiresAt: new Date(now + args.forMs).toISOString() } : {}),
      });
      const until = args.forMs ? ` for ${formatDuration(args.forMs)}` : ' until someone runs `/unlock`';
      await ctx.reply.inChannel({
        text: `:lock: <@${ctx.invocation.user}> locked ${args.app} ${args.env}${until}: ${args.reason}. Deploys, promotions and rollbacks are refused. \`/unlock ${args.app} ${args.env}\` lifts it.`,
      });
      return { result: 'succeeded', detail: `locked${until}: ${args.reason}` };
    },
  };
}

export function unlockCommand(deps: { locks: LockStore }): CommandDef<{ app: string; env: string }> {
  return {
    name: 'unlock',
    usage: [UNLOCK_USAGE],
    summary: 'Lift a lock',
    audited: true,
    parse(text, config) {
      const { words } = tokenize(text, { usage: UNLOCK_USAGE });
      const { app, env } = resolveEnv(config, words[0], words[1], UNLOCK_USAGE);
      if (words.length > 2) throw usageError(`Unexpected \`${words.slice(2).join(' ')}\`.`, UNLOCK_USAGE);
      return { app, env };
    },
    access: (args) => ({ action: 'lock', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const removed = await deps.locks.unlock(args.app, args.env);
      if (!removed) {
        await ctx.reply.ephemeral({ text: `${args.app} ${args.env} is not locked.` });
        return { result: 'succeeded', detail: 'was not locked' };
      }
      const owner =
        removed.by === ctx.invocation.user
          ? ''
          : ` (locked by ${removed.by === 'dockside' ? 'dockside' : `<@${removed.by}>`}: ${removed.reason})`;
      await ctx.reply.inChannel({
        text: `:unlock: <@${ctx.invocation.user}> unlocked ${args.app} ${args.env}${owner}.`,
      });
      return { result: 'succeeded', detail: `unlocked; lock was by ${removed.by}: ${removed.reason}` };
    },
  };
}
