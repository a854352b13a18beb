import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { MessageRef } from './slack/reply.js';

/**
 * A durable note, written before anything is created on DigitalOcean, of what dockside
 * is about to do and for whom. If the replica doing it dies (SIGKILL, lost Redis, a
 * create that never answered), another replica finds the note, finds what was created
 * (or concludes that nothing was) and either follows it or says plainly what happened.
 *
 * Stages: `claimed` (nothing sent to DigitalOcean yet) -> `creating` (the create was
 * about to be sent; it may or may not have landed) -> `created` (the DigitalOcean id is
 * known). The note is removed when the watch record that follows the deployment is saved,
 * in the same transaction.
 */
export type IntentKind = 'deploy' | 'promote' | 'rollback' | 'revert' | 'restore' | 'restart';
export type IntentStage = 'claimed' | 'creating' | 'created';

export interface RunIntent {
  id: string;
  kind: IntentKind;
  /** Replica that works on it; its liveness key says whether it still does. */
  owner: string;
  stage: IntentStage;
  user: string;
  channel: string;
  command?: string;
  app?: string;
  env?: string;
  appId?: string;
  database?: string;
  approvalId?: string;
  auditRef?: string;
  /** Set by the approve transition once the approval's own audit entry is written. */
  approvalAudited?: boolean;
  createdAt: string;
  creatingAt?: string;
  /** What the create was about (e.g. the rollback's target), to recognise it on DigitalOcean. */
  causeHint?: string;
  /** The app's newest deployments just before the create: whatever is new after it is ours. */
  existingIds?: string[];
  deploymentId?: string;
  clusterId?: string;
  healthUrl?: string;
  autoRollback?: boolean;
  lines?: string[];
  message?: MessageRef;
  /**
   * Set for a Droplet rollout (handlers/droplet/run.ts): there is nothing on DigitalOcean
   * to find, so a replica that takes over reports it interrupted instead of following it.
   */
  target?: 'droplets';
  releaseId?: string;
  /** Hosts the rollout had finished, and its last step, as far as it got. */
  hostsDone?: string[];
  lastStep?: string;
}

export const INTENT_INDEX = 'intents';
export const intentKey = (id: string) => `intent:${id}`;
export const replicaKey = (replica: string) => `replica:${replica}`;

export interface IntentStore {
  create(
    intent: Omit<RunIntent, 'id' | 'createdAt' | 'stage'> & { id?: string; createdAt?: string },
  ): Promise<RunIntent>;
  get(id: string): Promise<RunIntent | null>;
  update(id: string, patch: Partial<RunIntent>): Promise<RunIntent | null>;
  remove(id: string): Promise<void>;
  list(): Promise<RunIntent[]>;
  /** Marks this replica alive for `ttlMs`; intents of a replica whose mark expired are adopted. */
  heartbeat(replica: string, ttlMs: number): Promise<void>;
  alive(replica: string): Promise<boolean>;
  /** Takes over an intent from `from` (whose lease expired); true on exactly one replica. */
  adopt(id: string, from: string, to: string): Promise<RunIntent | null>;
}

// Read-modify-write in one step so that a concurrent adoption and an update cannot interleave.
const UPDATE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local doc = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[1])) do doc[k] = v end
raw = cjson.encode(doc)
redis.call('SET', KEYS[1], raw)
return raw`;

const ADOPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local doc = cjson.decode(raw)
if doc.owner ~= ARGV[1] then return nil end
doc.owner = ARGV[2]
raw = cjson.encode(doc)
redis.call('SET', KEYS[1], raw)
return raw`;

const parse = (raw: unknown): RunIntent | null =>
  typeof raw === 'string' ? (JSON.parse(raw) as RunIntent) : null;

export function newIntentId(): string {
  return randomBytes(9).toString('base64url');
}

export function createIntentStore(redis: Redis, clock: { now(): number }): IntentStore {
  return {
    async create(input) {
      const intent: RunIntent = {
        ...input,
        id: input.id ?? newIntentId(),
        stage: 'claimed',
        createdAt: input.createdAt ?? new Date(clock.now()).toISOString(),
      };
      await redis
        .multi()
        .set(intentKey(intent.id), JSON.stringify(intent))
        .zadd(INTENT_INDEX, Date.parse(intent.createdAt), intent.id)
        .exec()
        .then(failed);
      return intent;
    },
    async get(id) {
      return parse(await redis.get(intentKey(id)));
    },
    async update(id, patch) {
      return parse(await redis.eval(UPDATE, 1, intentKey(id), JSON.stringify(patch)));
    },
    async remove(id) {
      await redis.multi().del(intentKey(id)).zrem(INTENT_INDEX, id).exec().then(failed);
    },
    async list() {
      const ids = await redis.zrange(INTENT_INDEX, '0', '-1');
      if (ids.length === 0) return [];
      const raws = await redis.mget(ids.map(intentKey));
      const gone = ids.filter((_, i) => !raws[i]);
      if (gone.length > 0) await redis.zrem(INTENT_INDEX, ...gone);
      return raws.flatMap((raw) => {
        const intent = parse(raw);
        return intent ? [intent] : [];
      });
    },
    async heartbeat(replica, ttlMs) {
      await redis.set(replicaKey(replica), '1', 'PX', ttlMs);
    },
    async alive(replica) {
      return (await redis.exists(replicaKey(replica))) === 1;
    },
    async adopt(id, from, to) {
      return parse(await redis.eval(ADOPT, 1, intentKey(id), from, to));
    },
  };
}

/** MULTI replies carry per-command errors instead of throwing; a write that did not land must throw. */
export function failed(replies: Array<[Error | null, unknown]> | null): void {
  if (!replies) throw new Error('Redis transaction was aborted');
  for (const [err] of replies) if (err) throw err;
}
