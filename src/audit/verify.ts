import type { Redis } from 'ioredis';
import type { AuditAnchor } from './anchor.js';
import { GENESIS, hashEntry, idForSeq, parseEntry } from './chain.js';
import { AUDIT_KEYS as K } from './keys.js';
import type { AuditEntry, AuditVerifyResult } from './types.js';

const BATCH = 500;

export interface Checkpoint {
  seq: number;
  hash: string;
  id?: string;
  count: number;
}

export async function readCheckpoint(redis: Redis): Promise<Checkpoint> {
  const [seq, hash, id, count] = await redis.hmget(K.checkpoint, 'seq', 'hash', 'id', 'count');
  return { seq: Number(seq ?? 0), hash: hash ?? GENESIS, id: id ?? undefined, count: Number(count ?? 0) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Why `entry`, listed at chain position `seq`, does not follow an entry whose hash is `prev`; null when it does. */
export function linkProblem(
  entry: AuditEntry | null,
  id: string,
  seq: number,
  expectedSeq: number,
  prev: string,
): string | null {
  if (Number(id) !== seq || seq < expectedSeq) return 'This entry is out of order.';
  if (seq > expectedSeq) {
    const gap = seq - expectedSeq;
    return `${plural(gap, 'entry', 'entries')} before this one ${gap === 1 ? 'is' : 'are'} missing.`;
  }
  if (!entry) return 'This entry was deleted or is unreadable.';
  if (entry.id !== id) return `This entry was moved here from position ${entry.id}.`;
  const { hash, ...rest } = entry;
  if (hashEntry(rest) !== hash) return 'This entry was changed after it was written.';
  if (entry.prev !== prev) {
    return 'This entry does not follow the one before it (an entry was changed, removed or reordered).';
  }
  return null;
}

/** One page of the live chain from `min` (exclusive score bound), ids with their positions. */
export async function readPage(
  redis: Redis,
  min: string,
  max: number | string,
  count: number,
): Promise<Array<{ id: string; seq: number; raw: string | null }>> {
  const flat = await redis.zrangebyscore(K.ids, min, max, 'WITHSCORES', 'LIMIT', 0, count);
  const ids = flat.filter((_, i) => i % 2 === 0);
  if (ids.length === 0) return [];
  const raws = await redis.hmget(K.entries, ...ids);
  return ids.map((id, i) => ({ id, seq: Number(flat[i * 2 + 1]), raw: raws[i] ?? null }));
}

/**
 * Walks the live chain from the archive checkpoint (or genesis) to the head recorded at
 * the start, so appends made meanwhile are not mistaken for tampering. The head and the
 * checkpoint catch what a walk alone cannot: entries cut from either end.
 */
export async function verifyAuditChain(
  redis: Redis,
  anchor?: AuditAnchor | null,
): Promise<AuditVerifyResult> {
  const checkpoint = await readCheckpoint(redis);
  const [headSeqRaw, headHash, headId] = await redis.hmget(K.head, 'seq', 'hash', 'id');
  const headSeq = Number(headSeqRaw ?? 0);
  if (headSeqRaw === null && (checkpoint.seq > 0 || (await redis.zcard(K.ids)) > 0)) {
    return {
      ok: false,
      checked: 0,
      brokenAt: { id: 'head', reason: 'The record of the chain head was deleted.' },
    };
  }
  let expectedSeq = checkpoint.seq + 1;
  let prev = checkpoint.hash;
  let checked = 0;
  let min = checkpoint.seq > 0 ? `(${checkpoint.seq}` : '-inf';
  let historyMissing: AuditVerifyResult['historyMissing'];
  if (anchor && checkpoint.seq === 0) {
    const [firstId, firstScore] = await redis.zrange(K.ids, '0', '0', 'WITHSCORES');
    const first = Number(firstScore ?? headSeq + 1);
    // Redis lost the log and it went on from the anchor: the chain is checked from there.
    if (firstId !== undefined && first > 1 && first === anchor.seq + 1) {
      expectedSeq = first;
      prev = anchor.hash;
      historyMissing = { first, last: headSeq, anchorAt: anchor.at, expectedBefore: anchor.seq };
    }
  }
  const anchorCovered = anchor && anchor.seq >= expectedSeq ? anchor : undefined;
  while (expectedSeq <= headSeq) {
    const page = await readPage(redis, min, headSeq, BATCH);
    if (page.length === 0) break;
    min = `(${page.at(-1)!.seq}`;
    for (const { id, seq, raw } of page) {
      const entry = parseEntry(raw);
      const problem = linkProblem(entry, id, seq, expectedSeq, prev);
      if (problem) return { ok: false, checked, brokenAt: { id, reason: problem } };
      if (anchorCovered && seq === anchorCovered.seq && entry!.hash !== anchorCovered.hash) {
        return {
          ok: false,
          checked,
          brokenAt: {
            id,
            reason: `This entry does not match the anchor of ${when(anchorCovered.at)} kept outside Redis.`,
          },
        };
      }
      prev = entry!.hash;
      expectedSeq += 1;
      checked += 1;
    }
  }
  if (anchor && headSeq < anchor.seq) {
    return {
      ok: false,
      checked,
      brokenAt: {
        id: idForSeq(anchor.seq),
        reason:
          headSeq === 0
            ? `The log is empty, but the anchor of ${when(anchor.at)} kept outside Redis records ${count(anchor.seq)} entries.`
            : `The log ends at entry ${count(headSeq)}, but the anchor of ${when(anchor.at)} kept outside Redis records ${count(anchor.seq)}.`,
      },
    };
  }
  if (expectedSeq <= headSeq) {
    const missing = headSeq - expectedSeq + 1;
    return {
      ok: false,
      checked,
      brokenAt: {
        id: headId ?? idForSeq(headSeq),
        reason: `The newest ${plural(missing, 'entry is', 'entries are')} missing (the chain ends before its recorded head).`,
      },
    };
  }
  if (headSeq > 0 && headHash !== prev) {
    return {
      ok: false,
      checked,
      brokenAt: {
        id: headId ?? idForSeq(headSeq),
        reason: 'The newest entry does not match the recorded chain head.',
      },
    };
  }
  return { ok: true, checked, ...(historyMissing ? { historyMissing } : {}) };
}

const count = (n: number) => n.toLocaleString('en-US');
const when = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)}`;
