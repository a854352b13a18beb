import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import { DocksideError, isDocksideError } from '../errors.js';
import type { Lock, LockStore } from './types.js';

/**
 * Redis layout: `lock:<app>:<env>` is a hash {app, env, by, reason, since, expiresAt?};
 * `locks` is a set of `<app>:<env>` so list() needs no SCAN. App and env names cannot
 * contain ':' (config schema), so the member splits unambiguously.
 */
const INDEX = 'locks';
const lockKey = (app: string, env: string) => `lock:${app}:${env}`;
// Redis drops an expired lock a little after the clock says it ended; reads decide by the clock.
const CLEANUP_GRACE_MS = 60_000;

function unavailable(cause: unknown): DocksideError {
  if (isDocksideError(cause)) return cause;
  return new DocksideError(
    'redis_unavailable',
    'Locks are kept in Redis, which cannot be reached right now.',
    {
      hint: 'Check that Redis is reachable (GET /health) and try again.',
      cause,
    },
  );
}

function toLock(fields: Record<string, string>): Lock | null {
  const { app, env, by, reason, since, expiresAt } = fields;
  if (!app || !env || !by || since === undefined) return null;
  return expiresAt
    ? { app, env, by, reason: reason ?? '', since, expiresAt }
    : { app, env, by, reason: reason ?? '', since };
}

export function createRedisLockStore({ redis, clock }: { redis: Redis; clock: Clock }): LockStore {
  const live = (lock: Lock | null): Lock | null =>
    lock && (!lock.expiresAt || Date.parse(lock.expiresAt) > clock.now()) ? lock : null;

  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw unavailable(err);
    }
  }

  return {
    get: (app, env) => guarded(async () => live(toLock(await redis.hgetall(lockKey(app, env))))),

    list: () =>
      guarded(async () => {
        const members = await redis.smembers(INDEX);
        if (members.length === 0) return [];
        const pipeline = redis.pipeline();
        for (const m of members) {
          const [app = '', env = ''] = m.split(':');
          pipeline.hgetall(lockKey(app, env));
        }
        const replies = (await pipeline.exec()) ?? [];
        const locks: Lock[] = [];
        const gone: string[] = [];
        replies.forEach(([err, fields], i) => {
          if (err) throw err;
          const lock = toLock(fields as Record<string, string>);
          if (!lock) gone.push(members[i]!);
          else if (live(lock)) locks.push(lock);
        });
        if (gone.length > 0) await redis.srem(INDEX, ...gone);
        return locks.sort((a, b) => `${a.app}:${a.env}`.localeCompare(`${b.app}:${b.env}`));
      }),

    lock: (lock) =>
      guarded(async () => {
        const key = lockKey(lock.app, lock.env);
        const fields: Record<string, string> = {
          app: lock.app,
          env: lock.env,
          by: lock.by,
          reason: lock.reason,
          since: lock.since,
        };
        const tx = redis.multi().del(key);
        if (lock.expiresAt) {
          const ms = Date.parse(lock.expiresAt) - clock.now();
          if (!(ms > 0)) {
            throw new DocksideError('usage', 'That lock would end before it starts.', {
              hint: 'Give a duration in the future, or none to lock until `/unlock`.',
            });
          }
          fields.expiresAt = lock.expiresAt;
          tx.hset(key, fields).pexpire(key, ms + CLEANUP_GRACE_MS);
        } else {
          tx.hset(key, fields);
        }
        const replies = await tx.sadd(INDEX, `${lock.app}:${lock.env}`).exec();
        const failed = replies?.find(([err]) => err);
        if (!replies || failed) throw failed?.[0] ?? new Error('lock transaction aborted');
      }),

    unlock: (app, env) =>
      guarded(async () => {
        const key = lockKey(app, env);
        const replies = await redis.multi().hgetall(key).del(key).srem(INDEX, `${app}:${env}`).exec();
        const [err, fields] = replies?.[0] ?? [new Error('unlock transaction aborted'), null];
        if (err) throw err;
        return live(toLock(fields as Record<string, string>));
      }),
  };
}
