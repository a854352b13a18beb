import type { Clock } from '../src/clock.js';
import { usageError } from '../src/errors.js';
import { describeLock } from '../src/locks/describe.js';
import type { ExclusiveLockStore, LockStore } from '../src/locks/types.js';
import { escapeText, formatDuration, mention } from '../src/render/format.js';
import { resolveEnv, tokenize } from './args.js';
import type { CommandDef } from './types.js';

const LOCK_USAGE = '/lock <app> <env> [2h | --for 2h] [--force] [reason]';
const UNLOCK_USAGE = '/unlock <app> <env>';
const DURATION_HELP = 'a duration such as 90m, 2h or 1d (at most 30d)';

export interface LockArgs {
  app: string;
  env: string;
  reason: string;
  forMs?: number;
  /** Replace a lock someone else holds. */
  force: boolean;
}

/** "90m", "2h", "1d" -> milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return n > 0 && n * unit <= 30 * 86_400_000 ? n * unit : null;
}

export function parseLockArgs(text: string, config: Parameters<CommandDef<LockArgs>['parse']>[1]): LockArgs {
  const { words, flags } = tokenize(text, { valueFlags: ['for'], boolFlags: ['force'], usage: LOCK_USAGE });
  const { app, env } = resolveEnv(config, words[0], words[1], LOCK_USAGE);
  let rest = words.slice(2);
  let forMs: number | undefined;
  const forText = flags.get('for');
  if (typeof forText === 'string') {
    const parsed = parseDuration(forText);
    if (parsed === null) throw usageError(`\`--for\` takes ${DURATION_HELP}.`, LOCK_USAGE);
    forMs = parsed;
  } else if (rest[0] && /^\d+[mhd]$/.test(rest[0])) {
    // People type `/lock web production 2h`: a duration as the first word is the duration.
    const parsed = parseDuration(rest[0]);
    if (parsed === null)
      throw usageError(`\`${rest[0]}\` is too long for a lock: give ${DURATION_HELP}.`, LOCK_USAGE);
    forMs = parsed;
    rest = rest.slice(1);
  }
  const reason = rest.join(' ').trim() || 'no reason given';
  return { app, env, reason, force: flags.has('force'), ...(forMs ? { forMs } : {}) };
}

export function lockCommand(deps: { locks: ExclusiveLockStore; clock: Clock }): CommandDef<LockArgs> {
  return {
    name: 'lock',
    usage: [LOCK_USAGE],
    summary: 'Freeze deploys, promotions and rollbacks of an env',
    audited: true,
    parse: parseLockArgs,
    access: (args) => ({ action: 'lock', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const now = deps.clock.now();
      const label = `${args.app} ${args.env}`;
      const result = await deps.locks.acquire(
        {
          app: args.app,
          env: args.env,
          by: ctx.invocation.user,
          reason: args.reason,
          since: new Date(now).toISOString(),
          ...(args.forMs ? { expiresAt: new Date(now + args.forMs).toISOString() } : {}),
        },
        { force: args.force },
      );
      if (!result.ok) {
        await ctx.reply.ephemeral({
          text:
            `${label} is already ${describeLock(result.held)}. Nothing changed. ` +
            `Ask ${mention(result.held.by)} first; \`/lock ${label} --force ...\` replaces their lock (and the audit log says you did).`,
        });
        return { result: 'refused', detail: `already locked by ${result.held.by}` };
      }
      const until = args.forMs ? ` for ${formatDuration(args.forMs)}` : ' until someone runs `/unlock`';
      const replaced = result.replaced
        ? ` It replaces the lock ${mention(result.replaced.by)} set: ${escapeText(result.replaced.reason)}.`
        : '';
      await ctx.reply.inChannel({
        text: `:lock: ${mention(ctx.invocation.user)} locked ${label}${until}: ${escapeText(args.reason)}. Deploys, promotions and rollbacks are refused.${replaced} \`/unlock ${label}\` lifts it.`,
      });
      return {
        result: 'succeeded',
        detail: `locked${until}: ${args.reason}${result.replaced ? ` (--force: replaced the lock by ${result.replaced.by}: ${result.replaced.reason})` : ''}`,
        ...(result.replaced ? { data: { forced: true, replacedLockBy: result.replaced.by } } : {}),
      };
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
      if (words.length > 2)
        throw usageError(`Unexpected \`${escapeText(words.slice(2).join(' '), 'code')}\`.`, UNLOCK_USAGE);
      return { app, env };
    },
    access: (args) => ({ action: 'lock', app: args.app, env: args.env, verb: 'unlock' }),
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
          : ` (${mention(removed.by)} had locked it: ${escapeText(removed.reason)})`;
      await ctx.reply.inChannel({
        text: `:unlock: ${mention(ctx.invocation.user)} unlocked ${args.app} ${args.env}${owner}. Deploys, promotions and rollbacks are allowed again.`,
      });
      return { result: 'succeeded', detail: `unlocked; lock was by ${removed.by}: ${removed.reason}` };
    },
  };
}
