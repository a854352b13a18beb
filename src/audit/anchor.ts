import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SlackPoster } from '../slack/reply.js';
import type { BackupStorage } from '../storage/types.js';
import { idForSeq } from './chain.js';
import { AUDIT_KEYS as K } from './keys.js';

/**
 * The chain head written outside Redis. If Redis loses the audit log (restarted empty,
 * keys deleted), the anchor says how long the chain was and what its head was: appends
 * continue from it, and `/audit verify` says that history before it is missing instead of
 * reporting an intact log of 0 entries.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
  id: string;
  /** ISO time the anchor was written. */
  at: string;
}

export interface AnchorStore {
  latest(): Promise<AuditAnchor | null>;
  save(anchor: AuditAnchor): Promise<void>;
}

const LAST = 'audit:anchor:last';
const THREAD = 'audit:anchor:thread';

function parseAnchor(raw: string): AuditAnchor | null {
  try {
    const value = JSON.parse(raw) as Partial<AuditAnchor>;
    if (typeof value.seq !== 'number' || typeof value.hash !== 'string' || typeof value.at !== 'string')
      return null;
    return { seq: value.seq, hash: value.hash, id: value.id ?? idForSeq(value.seq), at: value.at };
  } catch {
    return null;
  }
}

/** Anchors as small JSON objects in the backup destination (local directory or Spaces), one per anchor. */
export function storageAnchorStore(storage: BackupStorage, prefix: string): AnchorStore {
  const dir = `audit-anchors/${prefix.replace(/[^A-Za-z0-9_-]+/g, '_') || 'default'}/`;
  return {
    async latest() {
      const objects = await storage.list(dir);
      const newest = objects
        .map((o) => o.key)
        .sort()
        .at(-1);
      if (!newest) return null;
      return parseAnchor(await text(await storage.get(newest)));
    },
    async save(anchor) {
      await storage.put(`${dir}${idForSeq(anchor.seq)}.json`, Readable.from([JSON.stringify(anchor)]));
    },
  };
}

export interface AnchoringDeps {
  redis: Redis;
  store: AnchorStore;
  slack: SlackPoster;
  channel: string;
  clock: Clock;
  log: Logger;
  /** Anchor after this many new entries... */
  every?: number;
  /** ...or when the newest anchor is older than this and the chain moved. */
  maxAgeMs?: number;
}

/** Writes an anchor when the chain grew by `every` entries, or a day passed since the last one. */
export function createAnchoring(deps: AnchoringDeps) {
  const every = deps.every ?? 100;
  const maxAgeMs = deps.maxAgeMs ?? 24 * 60 * 60_000;

  async function lastAnchor(): Promise<AuditAnchor | null> {
    const raw = await deps.redis.get(LAST);
    return (raw ? parseAnchor(raw) : null) ?? (await deps.store.latest());
  }

  async function postToSlack(anchor: AuditAnchor): Promise<void> {
    const text = `Audit chain anchor: entry ${anchor.seq.toLocaleString('en-US')}, hash \`${anchor.hash}\` (${anchor.at.replace('T', ' ').slice(0, 16)} UTC). \`/audit verify\` checks the log against it.`;
    let thread = await deps.redis.get(THREAD);
    if (!thread) {
      const root = await deps.slack.post(deps.channel, {
        text: 'dockside audit chain anchors: the head of the audit log, written here so it survives a loss of Redis.',
      });
      thread = root.ts;
      await deps.redis.set(THREAD, thread);
    }
    await deps.slack.post(deps.channel, { text }, { threadTs: thread });
  }

  return {
    /** Checks the head and anchors it when due; returns the anchor written, if any. */
    async tick(options: { force?: boolean } = {}): Promise<AuditAnchor | null> {
      const [seqRaw, hash, id] = await deps.redis.hmget(K.head, 'seq', 'hash', 'id');
      const seq = Number(seqRaw ?? 0);
      if (!hash || seq === 0) return null;
      const last = await lastAnchor();
      const now = deps.clock.now();
      const due =
        !last ||
        seq - last.seq >= every ||
        (seq > last.seq && (options.force || now - Date.parse(last.at) >= maxAgeMs));
      if (!due || (last && seq <= last.seq)) return null;
      const anchor: AuditAnchor = { seq, hash, id: id ?? idForSeq(seq), at: new Date(now).toISOString() };
      await deps.store.save(anchor);
      await deps.redis.set(LAST, JSON.stringify(anchor));
      await postToSlack(anchor).catch((err: unknown) =>
        deps.log.warn({ err }, 'could not post the audit anchor to Slack; it is in the backup destination'),
      );
      return anchor;
    },
  };
}

export type Anchoring = ReturnType<typeof createAnchoring>;
