import type { Redis } from 'ioredis';
import { DocksideError } from '../errors.js';
import { parseEntry } from './chain.js';
import { AUDIT_KEYS as K } from './keys.js';
import { luaScript, type ScriptArg } from './redis-script.js';
import type { AuditEntry, AuditLog } from './types.js';
import { type Checkpoint, linkProblem, readCheckpoint, readPage } from './verify.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;
const LOCK_MS = 5 * 60 * 1000;

export interface PruneResult {
  pruned: number;
  /** Id of the newest entry that left the live chain. */
  upTo?: string;
  checkpoint: Checkpoint;
  archive: string;
}

// Archive, removal and the new checkpoint in one step: an entry is never gone from the
// live chain without being in the archive, and the checkpoint always names the last one.
// ARGV: expected checkpoint seq, new seq, new hash, new id, n, at; then per entry: id, json, app key index, user key index.
const PRUNE = luaScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq')) or 0
if cur ~= tonumber(ARGV[1]) then return 0 end
local n = tonumber(ARGV[5])
for i = 0, n - 1 do
  local base = 7 + i * 4
  local id = ARGV[base]
  redis.call('XADD', KEYS[4], '*', 'id', id, 'entry', ARGV[base + 1])
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  for j = 2, 3 do
    local k = tonumber(ARGV[base + j])
    if k > 0 then redis.call('ZREM', KEYS[k], id) end
  end
end
redis.call('HINCRBY', KEYS[1], 'count', n)
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'hash', ARGV[3], 'id', ARGV[4], 'at', ARGV[6], 'archive', KEYS[4])
return n
`);

// Only the holder releases, in case the lease ran out and another replica took it.
const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

interface Old {
  entry: AuditEntry;
  raw: string;
}

/** The oldest live entries before `cutoff`, checked link by link so a tampered chain is never archived away. */
async function oldestBefore(redis: Redis, checkpoint: Checkpoint, cutoff: number): Promise<Old[]> {
  const min = checkpoint.seq > 0 ? `(${checkpoint.seq}` : '-inf';
  const page = await readPage(redis, min, '+inf', BATCH);
  const out: Old[] = [];
  let prev = checkpoint.hash;
  for (const [i, { id, seq, raw }] of page.entries()) {
    const entry = parseEntry(raw);
    const problem = linkProblem(entry, id, seq, checkpoint.seq + 1 + i, prev);
    if (problem || !entry || !raw) {
      throw new DocksideError('internal', `The audit chain is broken at ${id}, so no entries were pruned.`, {
        hint: 'Run `/audit verify` and investigate before pruning.',
      });
    }
    if (Date.parse(entry.at) >= cutoff) break;
    out.push({ entry, raw });
    prev = entry.hash;
  }
  return out;
}

function pruneCall(batch: Old[], checkpoint: Checkpoint, at: string): { keys: string[]; args: ScriptArg[] } {
  const keys = [K.checkpoint, K.entries, K.ids, K.archive];
  const slot = new Map<string, number>();
  const indexOf = (key: string) => {
    let i = slot.get(key);
    if (i === undefined) {
      keys.push(key);
      i = keys.length;
      slot.set(key, i);
    }
    return i;
  };
  const last = batch.at(-1)!.entry;
  const args: ScriptArg[] = [checkpoint.seq, Number(last.id), last.hash, last.id, batch.length, at];
  for (const { entry, raw } of batch) {
    args.push(entry.id, raw, entry.app ? indexOf(K.app(entry.app)) : 0, indexOf(K.user(entry.actor)));
  }
  return { keys, args };
}

/**
 * Moves entries older than the retention to the archive stream, batch by batch, and
 * leaves a checkpoint (hash and count of what was archived) for verify to start from.
 * `onArchive` (e.g. an upload to Spaces) must be idempotent per entry id: a crash
 * between it and the Redis step repeats the batch on the next run.
 */
export async function pruneAuditLog(options: {
  redis: Redis;
  audit: AuditLog;
  now: number;
  retentionDays: number;
  onArchive?: ((entries: AuditEntry[]) => Promise<void>) | undefined;
}): Promise<PruneResult> {
  const { redis, audit, now } = options;
  const cutoff = now - options.retentionDays * DAY_MS;
  const lockKey = 'audit:prune-lock';
  const token = `${process.pid}:${now}:${Math.random()}`;
  if ((await redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    return { pruned: 0, checkpoint: await readCheckpoint(redis), archive: K.archive };
  }
  let pruned = 0;
  let upTo: string | undefined;
  try {
    for (;;) {
      const checkpoint = await readCheckpoint(redis);
      const batch = await oldestBefore(redis, checkpoint, cutoff);
      if (batch.length === 0) break;
      if (options.onArchive) await options.onArchive(batch.map((b) => b.entry));
      const { keys, args } = pruneCall(batch, checkpoint, new Date(now).toISOString());
      const moved = Number(await PRUNE(redis, keys, args));
      if (moved === 0) break;
      pruned += moved;
      upTo = batch.at(-1)!.entry.id;
    }
  } finally {
    await RELEASE(redis, [lockKey], [token]);
  }
  const checkpoint = await readCheckpoint(redis);
  if (pruned > 0) {
    await audit.append({
      actor: 'dockside',
      action: 'audit.prune',
      result: 'info',
      detail: `pruned ${pruned} entries up to ${upTo}, archived to ${K.archive}`,
      data: {
        count: pruned,
        upTo: upTo ?? '',
        checkpointHash: checkpoint.hash,
        archivedTotal: checkpoint.count,
      },
    });
  }
  return { pruned, upTo, checkpoint, archive: K.archive };
}
