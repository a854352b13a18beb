import type { Redis } from 'ioredis';
import { luaScript } from '../audit/redis-script.js';
import type { Clock } from '../clock.js';
import { DocksideError, isDocksideError } from '../errors.js';
import type { ExclusiveLockStore, Lock } from './types.js';

/**
 * Redis layout: `lock:<app>:<env>` is a hash {app, env, by, reason, since, expiresAt?};
 * `locks` is a set of `<app>:<env>` so list() needs no SCAN. App and env names cannot
 * contain ':' (config schema), so the member splits unambiguously.
 */
const INDEX = 'locks';
const lockKey = (app: string, env: string) => `lock:${app}:${env}`;
// Redis drops an expired lock a little after the clock says it ended; reads decide by the clock.
const CLEANUP_GRACE_MS = 60_000;

/**
 * KEYS: lock hash, index set. ARGV: by, force (1/0), now (ISO), pexpire ms or '', index
 * member, then field/value pairs. ISO times from toISOString() compare as strings.
 * Returns {'held', fields...} or {'ok', fields of the replaced lock...}.
 */
const ACQUIRE = luaScript(`
local current = redis.call('HGETALL', KEYS[1])
local by = redis.call('HGET', KEYS[1], 'by')
if by and by ~= ARGV[1] and ARGV[2] ~= '1' then
  local expires = redis.call('HGET', KEYS[1], 'expiresAt')
  if not expires or expires > ARGV[3] then
    table.insert(current, 1, 'held')
    return current
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
redis.call('SADD', KEYS[2], ARGV[5])
table.insert(current, 1, 'ok')
return current
`);

function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}

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

export function createRedisLockStore({ redis, clock }: { redis: Redis; clock: Clock }): ExclusiveLockStore {
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

    acquire: (lock, { force }) =>
      guarded(async () => {
        let ttl = '';
        if (lock.expiresAt) {
          const ms = Date.parse(lock.expiresAt) - clock.now();
          if (!(ms > 0)) {
            throw new DocksideError('usage', 'That lock would end before it starts.', {
              hint: 'Give a duration in the future, or none to lock until `/unlock`.',
            });
          }
          ttl = String(ms + CLEANUP_GRACE_MS);
        }
        const fields = Object.entries(lock).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
        const reply = (await ACQUIRE(
          redis,
          [lockKey(lock.app, lock.env), INDEX],
          [
            lock.by,
            force ? '1' : '0',
            new Date(clock.now()).toISOString(),
            ttl,
            `${lock.app}:${lock.env}`,
            ...fields,
          ],
        )) as string[];
        const [status, ...rest] = reply;
        const previous = live(toLock(fieldsOf(rest)));
        if (status === 'held' && previous) return { ok: false as const, held: previous };
        return previous && previous.by !== lock.by
          ? { ok: true as const, replaced: previous }
          : { ok: true as const };
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
