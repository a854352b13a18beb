import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ScriptArg } from '../src/audit/redis-script.js';
import { DocksideError, isDocksideError } from '../src/errors.js';
import { INTENT_INDEX, intentKey } from '../src/intents.js';
import type { MessageRef } from '../src/slack/reply.js';
import {
  APPROVE,
  CANCEL,
  CLAIM_RUN,
  CREATE,
  CREATE_ONCE,
  EXPIRE_IF_DUE,
  FINISH,
  REJECT,
  SET_MESSAGES,
  STATE_ORDER,
} from './lua/scripts.js';
import type {
  ApprovalRequest,
  ApprovalState,
  ApprovalStore,
  ApproveResult,
  NewApprovalRequest,
} from './types.js';

/**
 * Redis layout (under the client's keyPrefix):
 * - `approval:<id>`             hash {doc: request JSON, exp: expiry ms, created: ms, state}
 * - `approvals:expiry`          zset of pending ids scored by expiry ms (what expireDue sweeps)
 * - `approvals:state:<state>`   zset of ids per state scored by creation ms (listByState)
 * - `intent:<id>`, `intents`     the run intent written when a request is approved and claimed
 * - `approvals:twin:<hash>`      id of the request filed for an identity (policy.identityOf)
 * A finished request is kept for `keepDays` (default 30) for summaries, then Redis drops it
 * and listByState forgets its id.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const EXPIRY = 'approvals:expiry';
const stateKey = (state: ApprovalState) => `approvals:state:${state}`;
const requestKey = (id: string) => `approval:${id}`;
// Identical requests racing for one twin key: each round one of them wins the set.
const TWIN_ROUNDS = 8;
// Ids come back from Slack button values; anything else can never name a request.
const ID = /^[A-Za-z0-9_-]{8,40}$/;

function unavailable(cause: unknown): DocksideError {
  if (isDocksideError(cause)) return cause;
  return new DocksideError(
    'redis_unavailable',
    'Approvals are kept in Redis, which cannot be reached right now.',
    {
      hint: 'Nothing was changed. Check that Redis is reachable (GET /health) and try again.',
      cause,
    },
  );
}

/** cjson writes an empty Lua table as `{}`, so arrays that were emptied come back as objects. */
export function parseRequest(raw: unknown): ApprovalRequest | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const doc = JSON.parse(raw) as ApprovalRequest;
  return {
    ...doc,
    approvals: Array.isArray(doc.approvals) ? doc.approvals : [],
    messages: Array.isArray(doc.messages) ? (doc.messages as MessageRef[]) : [],
  };
}

export function createRedisApprovalStore({
  redis,
  keepDays = 30,
}: {
  redis: Redis;
  keepDays?: number;
}): ApprovalStore {
  const keepMs = keepDays * DAY_MS;
  const keysFor = (id: string) => [
    requestKey(id),
    EXPIRY,
    ...STATE_ORDER.map(stateKey),
    intentKey(id),
    INTENT_INDEX,
  ];
  const run = async (
    script: (r: Redis, k: string[], a: ScriptArg[]) => Promise<unknown>,
    id: string,
    args: ScriptArg[],
  ) => {
    try {
      return await script(redis, keysFor(id), [keepMs, ...args]);
    } catch (err) {
      throw unavailable(err);
    }
  };

  /** A new pending request: its document, and the arguments CREATE and CREATE_ONCE take. */
  const newRequest = (
    request: NewApprovalRequest,
    { ttlMinutes, now }: { ttlMinutes: number; now: number },
  ) => {
    const id = randomBytes(9).toString('base64url');
    const expiresAt = now + ttlMinutes * 60_000;
    const doc: ApprovalRequest = {
      ...request,
      id,
      approvals: [],
      state: 'pending',
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
      messages: [],
    };
    // A pending request that nobody sweeps still disappears eventually.
    return { doc, args: [JSON.stringify(doc), expiresAt, now, expiresAt - now + keepMs] };
  };

  return {
    async create(request, options) {
      const { doc, args } = newRequest(request, options);
      const created = await run(CREATE, doc.id, args);
      if (created !== 1)
        throw new DocksideError('internal', 'An approval id was generated twice; try again.');
      return doc;
    },

    async createOnce(request, { ttlMinutes, now, identity }) {
      const twinKey = `approvals:twin:${createHash('sha256').update(identity).digest('base64url')}`;
      for (let round = 0; round < TWIN_ROUNDS; round++) {
        let named: string | null;
        try {
          named = await redis.get(twinKey);
        } catch (err) {
          throw unavailable(err);
        }
        const twin = named ? await this.get(named) : null;
        if (twin?.state === 'pending' && Date.parse(twin.expiresAt) > now)
          return { request: twin, duplicate: true };
        // None, or no longer pending: file this one, unless another filer named one meanwhile.
        const { doc, args } = newRequest(request, { ttlMinutes, now });
        try {
          const created = await CREATE_ONCE(
            redis,
            [...keysFor(doc.id), twinKey],
            [keepMs, ...args, named ?? ''],
          );
          if (created === 1) return { request: doc, duplicate: false };
        } catch (err) {
          throw unavailable(err);
        }
      }
      throw new DocksideError('redis_unavailable', 'Too many identical requests at once; try again.');
    },

    async get(id) {
      if (!ID.test(id)) return null;
      try {
        return parseRequest(await redis.hget(requestKey(id), 'doc'));
      } catch (err) {
        throw unavailable(err);
      }
    },

    async setMessages(id, messages) {
      if (!ID.test(id)) return;
      await run(SET_MESSAGES, id, [JSON.stringify(messages)]);
    },

    async approve(id, user, { now, selfApproval, owner }): Promise<ApproveResult> {
      if (!ID.test(id)) return { status: 'not_found' };
      const args = [user, now, new Date(now).toISOString(), selfApproval ? '1' : '0', owner];
      const [status, raw] = (await run(APPROVE, id, args)) as [ApproveResult['status'], string?];
      const request = parseRequest(raw);
      if (status === 'not_found' || !request) return { status: 'not_found' };
      return { status, request };
    },

    async reject(id, user, reason, now) {
      if (!ID.test(id)) return { ok: false, request: null };
      const [ok, raw] = (await run(REJECT, id, [user, reason, now, new Date(now).toISOString()])) as [
        number,
        string?,
      ];
      return { ok: ok === 1, request: parseRequest(raw) };
    },

    async cancel(id, user, now) {
      if (!ID.test(id)) return { ok: false, request: null };
      const [ok, raw] = (await run(CANCEL, id, [user, now])) as [number, string?];
      return { ok: ok === 1, request: parseRequest(raw) };
    },

    async claimRun(id, { owner, now }) {
      if (!ID.test(id)) return null;
      return parseRequest(await run(CLAIM_RUN, id, [owner, now, new Date(now).toISOString()]));
    },

    /** running -> succeeded/failed; null when the request is unknown or was not running. */
    async finish(id, state, outcome) {
      if (!ID.test(id)) return null;
      if (state !== 'succeeded' && state !== 'failed')
        throw new RangeError(`finish: bad state ${String(state)}`);
      return parseRequest(await run(FINISH, id, [state, outcome]));
    },

    async expireDue(now) {
      let due: string[];
      try {
        due = await redis.zrangebyscore(EXPIRY, '-inf', String(now));
      } catch (err) {
        throw unavailable(err);
      }
      const expired = await Promise.all(
        due.map(async (id) => parseRequest(await run(EXPIRE_IF_DUE, id, [now]))),
      );
      return expired.filter((r): r is ApprovalRequest => r !== null);
    },

    async listByState(states) {
      try {
        const out: ApprovalRequest[] = [];
        for (const state of new Set(states)) {
          const ids = await redis.zrange(stateKey(state), '0', '-1');
          if (ids.length === 0) continue;
          const pipeline = redis.pipeline();
          for (const id of ids) pipeline.hget(requestKey(id), 'doc');
          const replies = (await pipeline.exec()) ?? [];
          const gone: string[] = [];
          replies.forEach(([err, raw], i) => {
            if (err) throw err;
            const request = parseRequest(raw);
            if (request) out.push(request);
            else gone.push(ids[i]!);
          });
          // The hash expired after its retention; forget its id too.
          if (gone.length > 0) await redis.zrem(stateKey(state), ...gone);
        }
        return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      } catch (err) {
        throw unavailable(err);
      }
    },
  };
}
