import type { Redis } from 'ioredis';
import { type Clock, sleep } from '../clock.js';
import { DocksideError, isDocksideError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AnchorStore } from './anchor.js';
import { cleanInput, GENESIS, hashEntry, idForSeq, parseEntry } from './chain.js';
import { AUDIT_KEYS as K } from './keys.js';
import { type PruneResult, pruneAuditLog } from './prune.js';
import { luaScript, withDeadline } from './redis-script.js';
import type { AuditEntry, AuditEntryInput, AuditFilter, AuditLog, AuditVerifyResult } from './types.js';
import { verifyAuditChain } from './verify.js';

export interface RedisAuditLog extends AuditLog {
  /** Moves entries older than the retention out of the live chain, archiving them first. */
  prune(now?: number): Promise<PruneResult>;
}

export interface RedisAuditLogOptions {
  redis: Redis;
  clock: Clock;
  retentionDays: number;
  log?: Logger;
  /** Upper bound for one append, retries included. "No audit, no action" makes a slow audit a slow bot. */
  appendTimeoutMs?: number;
  /** The chain head kept outside Redis: an emptied log continues from it, and verify checks against it. */
  anchors?: AnchorStore;
  /** Called with each batch before it leaves the live chain (e.g. upload to Spaces); a rejection stops the prune. */
  onArchive?: (entries: AuditEntry[]) => Promise<void>;
}

// Compare-and-set on the chain head: the hash is computed in Node (Lua has no sha256),
// so the write only lands if nobody appended since we read the head.
// ARGV[6] = '1': the log is empty in Redis and continues from an anchor kept outside it
// (ARGV[1] its hash, ARGV[2] - 1 its sequence); honoured only while there is no entry at all.
const APPEND = luaScript(`
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
local seq = tonumber(head[1]) or 0
local hash = head[2] or '${GENESIS}'
if head[1] == false and ARGV[6] == '1' and redis.call('ZCARD', KEYS[3]) == 0 then
  seq = tonumber(ARGV[2]) - 1
  hash = ARGV[1]
end
if hash ~= ARGV[1] or seq + 1 ~= tonumber(ARGV[2]) then
  return {0, tostring(seq), hash}
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
for i = 3, #KEYS do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3]) end
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'hash', ARGV[5], 'id', ARGV[3])
return {1}
`);

const MAX_LIMIT = 200;
const BATCH = 500;

export function unavailable(cause: unknown): DocksideError {
  return new DocksideError(
    'audit_unavailable',
    'The audit log (Redis) cannot be written, so nothing was done.',
    {
      hint: 'Check that Redis is reachable (GET /health) and try again.',
      cause,
    },
  );
}

function unreadable(cause: unknown): DocksideError {
  if (isDocksideError(cause)) return cause;
  return new DocksideError('redis_unavailable', 'The audit log (Redis) cannot be read right now.', {
    hint: 'Check that Redis is reachable (GET /health) and try again.',
    cause,
  });
}

function sinceMs(filter: AuditFilter): number | undefined {
  if (filter.since === undefined) return undefined;
  const ms = Date.parse(filter.since);
  if (Number.isNaN(ms)) {
    throw new DocksideError('usage', `"${filter.since}" is not a date.`, {
      hint: 'Use an ISO date such as 2025-01-31.',
    });
  }
  return ms;
}

export function createRedisAuditLog(options: RedisAuditLogOptions): RedisAuditLog {
  const { redis, clock, log } = options;
  const appendTimeoutMs = options.appendTimeoutMs ?? 800;
  let head: { seq: number; hash: string; fromAnchor?: boolean } | undefined;
  // Appends from this replica go one at a time: they would only collide with each other
  // on the head, so compare-and-set retries are left for races between replicas.
  let queue: Promise<unknown> = Promise.resolve();

  async function readHead(): Promise<{ seq: number; hash: string; fromAnchor?: boolean }> {
    const [seq, hash] = await redis.hmget(K.head, 'seq', 'hash');
    if (seq === null && options.anchors) {
      const anchor = await options.anchors.latest().catch((err: unknown) => {
        log?.warn({ err }, 'could not read the audit anchor; the log starts from genesis');
        return null;
      });
      if (anchor) return { seq: anchor.seq, hash: anchor.hash, fromAnchor: true };
    }
    return { seq: Number(seq ?? 0), hash: hash ?? GENESIS };
  }

  async function appendUntil(input: AuditEntryInput, deadline: number): Promise<AuditEntry> {
    if (Date.now() > deadline) throw new Error('audit append waited too long for earlier appends');
    const clean = cleanInput(input);
    const keys = [K.head, K.entries, K.ids, K.user(clean.actor)];
    if (clean.app) keys.push(K.app(clean.app));
    let current = head ?? (await readHead());
    for (let attempt = 1; ; attempt++) {
      const seq = current.seq + 1;
      const base = {
        ...clean,
        id: idForSeq(seq),
        at: new Date(clock.now()).toISOString(),
        prev: current.hash,
      };
      const entry: AuditEntry = { ...base, hash: hashEntry(base) };
      const reply = (await APPEND(redis, keys, [
        current.hash,
        seq,
        entry.id,
        JSON.stringify(entry),
        entry.hash,
        current.fromAnchor ? '1' : '0',
      ])) as [number, string?, string?];
      if (reply[0] === 1) {
        head = { seq, hash: entry.hash };
        return entry;
      }
      current = reply[1] === '0' ? await readHead() : { seq: Number(reply[1]), hash: String(reply[2]) };
      head = current;
      if (Date.now() > deadline) throw new Error(`audit append lost the race ${attempt} times`);
      // Back off a little under heavy contention so replicas do not keep colliding in lockstep.
      if (attempt > 3) await sleep(Math.random() * Math.min(10, attempt));
    }
  }

  async function append(input: AuditEntryInput): Promise<AuditEntry> {
    const deadline = Date.now() + appendTimeoutMs;
    const run = queue.then(() => appendUntil(input, deadline));
    queue = run.catch(() => undefined);
    try {
      return await withDeadline(run, appendTimeoutMs, 'audit append');
    } catch (err) {
      head = undefined;
      log?.error({ err, action: input.action }, 'audit append failed');
      throw unavailable(err);
    }
  }

  /** The smaller index when filtering by app and user, the other filter applied per entry. */
  async function pickIndex(filter: AuditFilter): Promise<string> {
    if (filter.app && filter.user) {
      const [a, u] = await Promise.all([redis.zcard(K.app(filter.app)), redis.zcard(K.user(filter.user))]);
      return a <= u ? K.app(filter.app) : K.user(filter.user);
    }
    if (filter.app) return K.app(filter.app);
    if (filter.user) return K.user(filter.user);
    return K.ids;
  }

  const matches = (entry: AuditEntry, filter: AuditFilter): boolean =>
    (!filter.app || entry.app === filter.app) && (!filter.user || entry.actor === filter.user);

  async function readBatch(ids: string[]): Promise<AuditEntry[]> {
    if (ids.length === 0) return [];
    const raws = await redis.hmget(K.entries, ...ids);
    return raws.map(parseEntry).filter((e): e is AuditEntry => e !== null);
  }

  async function list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 20), 1), MAX_LIMIT);
    const since = sinceMs(filter);
    try {
      const key = await pickIndex(filter);
      const out: AuditEntry[] = [];
      let max = '+inf';
      while (out.length < limit) {
        const ids = await redis.zrevrangebyscore(key, max, '-inf', 'LIMIT', 0, Math.max(limit * 2, 50));
        if (ids.length === 0) return out;
        max = `(${Number(ids.at(-1))}`;
        for (const entry of await readBatch(ids)) {
          // Ordered by chain position; `at` comes from replica clocks, so this cut-off is to the millisecond only.
          if (since !== undefined && Date.parse(entry.at) < since) return out;
          if (matches(entry, filter)) out.push(entry);
          if (out.length === limit) return out;
        }
      }
      return out;
    } catch (err) {
      throw unreadable(err);
    }
  }

  async function* exportEntries(filter: AuditFilter = {}): AsyncIterable<AuditEntry> {
    const since = sinceMs(filter);
    let key: string;
    try {
      key = await pickIndex(filter);
    } catch (err) {
      throw unreadable(err);
    }
    let min = '-inf';
    for (;;) {
      let batch: AuditEntry[];
      let ids: string[];
      try {
        ids = await redis.zrangebyscore(key, min, '+inf', 'LIMIT', 0, BATCH);
        batch = await readBatch(ids);
      } catch (err) {
        throw unreadable(err);
      }
      if (ids.length === 0) return;
      min = `(${Number(ids.at(-1))}`;
      for (const entry of batch) {
        if (since !== undefined && Date.parse(entry.at) < since) continue;
        if (matches(entry, filter)) yield entry;
      }
    }
  }

  async function verify(): Promise<AuditVerifyResult> {
    try {
      const anchor = options.anchors ? await options.anchors.latest() : null;
      return await verifyAuditChain(redis, anchor);
    } catch (err) {
      throw unreadable(err);
    }
  }

  const self: RedisAuditLog = {
    append,
    list,
    verify,
    export: exportEntries,
    prune: (now = clock.now()) =>
      pruneAuditLog({
        redis,
        audit: self,
        now,
        retentionDays: options.retentionDays,
        onArchive: options.onArchive,
      }),
  };
  return self;
}
