import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArg = string | number;

/** A Lua script run by EVALSHA, falling back to EVAL once per connection when Redis has not seen it yet. */
export type LuaScript = (redis: Redis, keys: string[], args: ScriptArg[]) => Promise<unknown>;

/**
 * Scripts receive every key through KEYS so that ioredis applies the client's
 * keyPrefix to them; a script must never build a key name itself.
 * (Shared by audit, approvals and locks; it lives here only because of file ownership.)
 */
export function luaScript(lua: string): LuaScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

/** Rejects after `ms` so a call never waits on ioredis' own reconnect/retry schedule. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
