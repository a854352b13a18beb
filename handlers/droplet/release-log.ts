import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../../src/clock.js';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import type { ReleaseOutcome, ReleaseRecord } from '../deploy/target.js';

/**
 * Each Droplet env's release log. Redis layout: `releases:<app>:<env>` is a hash
 * release id -> JSON record, `releases:<app>:<env>:order` a sorted set of ids by start
 * time (newest last). The oldest entries past KEEP are dropped.
 */
const KEEP = 100;
const logKey = (app: string, env: string) => `releases:${app}:${env}`;
const orderKey = (app: string, env: string) => `${logKey(app, env)}:order`;

const Stored = z.object({
  id: z.string(),
  kind: z.enum(['deploy', 'rollback', 'promote']),
  services: z.array(
    z.object({ service: z.string(), image: z.string(), digest: z.string(), tag: z.string().optional() }),
  ),
  by: z.string(),
  at: z.string(),
  outcome: z.enum(['started', 'succeeded', 'failed', 'rolled_back']),
  auditId: z.string().optional(),
  failure: z.object({ host: z.string().optional(), reason: z.string() }).optional(),
  finishedAt: z.string().optional(),
});

const runningKey = (app: string, env: string) => `${logKey(app, env)}:running`;
// Deletes the claim only if it is still ours: an expired claim may belong to a newer rollout.
const RELEASE_CLAIM =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export interface ReleaseLog {
  /**
   * Marks a rollout of the env as running, across replicas. Returns undefined when
   * claimed, or the id of the rollout already running. The claim expires after ttlMs
   * so a replica that died mid-rollout does not block the env forever.
   */
  claim(app: string, env: string, id: string, ttlMs: number): Promise<string | undefined>;
  unclaim(app: string, env: string, id: string): Promise<void>;
  /** A new release id: sortable by time, unique across replicas. */
  newId(): string;
  start(app: string, env: string, record: ReleaseRecord): Promise<void>;
  finish(
    app: string,
    env: string,
    id: string,
    outcome: Exclude<ReleaseOutcome, 'started'>,
    failure?: ReleaseRecord['failure'],
  ): Promise<void>;
  get(app: string, env: string, id: string): Promise<ReleaseRecord | undefined>;
  /** Newest first. */
  list(app: string, env: string, limit?: number): Promise<ReleaseRecord[]>;
}

export function createReleaseLog({ redis, clock }: { redis: Redis; clock: Clock }): ReleaseLog {
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isDocksideError(err)) throw err;
      throw new DocksideError(
        'redis_unavailable',
        'The release log is kept in Redis, which cannot be reached.',
        {
          hint: 'Check that Redis is reachable (GET /health) and try again.',
          cause: err,
        },
      );
    }
  }
  const parse = (json: string | null): ReleaseRecord | undefined => {
    if (!json) return undefined;
    const result = Stored.safeParse(JSON.parse(json));
    return result.success ? (result.data as ReleaseRecord) : undefined;
  };

  return {
    claim: (app, env, id, ttlMs) =>
      guarded(async () => {
        const ok = await redis.set(runningKey(app, env), id, 'PX', ttlMs, 'NX');
        if (ok === 'OK') return undefined;
        return (await redis.get(runningKey(app, env))) ?? 'unknown';
      }),
    unclaim: (app, env, id) =>
      guarded(async () => {
        await redis.eval(RELEASE_CLAIM, 1, runningKey(app, env), id);
      }),
    newId() {
      const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
      return `r${stamp}-${randomBytes(2).toString('hex')}`;
    },
    start: (app, env, record) =>
      guarded(async () => {
        const tx = redis.multi();
        tx.hset(logKey(app, env), record.id, JSON.stringify(record));
        tx.zadd(orderKey(app, env), Date.parse(record.at), record.id);
        await tx.exec();
        const old = await redis.zrange(orderKey(app, env), 0, String(-KEEP - 1));
        if (old.length > 0) {
          await redis
            .multi()
            .hdel(logKey(app, env), ...old)
            .zrem(orderKey(app, env), ...old)
            .exec();
        }
      }),
    finish: (app, env, id, outcome, failure) =>
      guarded(async () => {
        const record = parse(await redis.hget(logKey(app, env), id));
        if (!record) return;
        const done: ReleaseRecord = {
          ...record,
          outcome,
          finishedAt: new Date(clock.now()).toISOString(),
          ...(failure ? { failure } : {}),
        };
        await redis.hset(logKey(app, env), id, JSON.stringify(done));
      }),
    get: (app, env, id) => guarded(async () => parse(await redis.hget(logKey(app, env), id))),
    list: (app, env, limit = 10) =>
      guarded(async () => {
        const ids = await redis.zrevrange(orderKey(app, env), 0, limit - 1);
        if (ids.length === 0) return [];
        const values = await redis.hmget(logKey(app, env), ...ids);
        return values.map(parse).filter((r): r is ReleaseRecord => r !== undefined);
      }),
  };
}
