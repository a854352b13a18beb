import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisApprovalStore } from '../../approvals/store.js';
import type { NewApprovalRequest } from '../../approvals/types.js';
import { REDIS_URL, testRedis } from '../helpers/redis.js';

const T0 = Date.parse('2025-05-01T09:00:00Z');
const MIN = 60_000;

const deployRequest = (over: Partial<NewApprovalRequest> = {}): NewApprovalRequest => ({
  kind: 'deploy',
  requester: 'U0ALICE',
  channel: 'C0DEPLOYS',
  command: '/deploy web production',
  app: 'web',
  env: 'production',
  summary: 'Deploy web to production (commit a1b2c3d → 9f8e7d6)',
  binding: { appId: '9a1c-…', commit: '9f8e7d6', note: 'héllo/wörld "quoted" \\ back' },
  params: { forceBuild: 'false' },
  required: 1,
  ...over,
});

const others: Redis[] = [];
afterAll(() => {
  for (const r of others) r.disconnect();
});

function setup() {
  const { redis, prefix } = testRedis('approvals');
  return { redis, prefix, store: createRedisApprovalStore({ redis }) };
}

describe('approval store: lifecycle', () => {
  it('creates a pending request that another replica (or a restarted bot) can read', async () => {
    const { prefix, store } = setup();
    const created = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    expect(created).toMatchObject({
      state: 'pending',
      approvals: [],
      messages: [],
      createdAt: '2025-05-01T09:00:00.000Z',
      expiresAt: '2025-05-01T09:30:00.000Z',
    });
    const restarted = new Redis(REDIS_URL, { keyPrefix: prefix });
    others.push(restarted);
    const again = createRedisApprovalStore({ redis: restarted });
    expect(await again.get(created.id)).toEqual(created);
    expect((await again.listByState(['pending'])).map((r) => r.id)).toEqual([created.id]);
  });

  it('keeps text, empty lists and bindings intact through every transition', async () => {
    const { store } = setup();
    const { id } = await store.create(deployRequest({ required: 2 }), { ttlMinutes: 30, now: T0 });
    await store.setMessages(id, []);
    const result = await store.approve(id, 'U0BOB', { now: T0 + MIN, selfApproval: false, owner: 'r1' });
    expect(result.status).toBe('recorded');
    const stored = await store.get(id);
    expect(stored?.messages).toEqual([]);
    expect(stored?.binding).toEqual(deployRequest().binding);
    expect(stored?.approvals).toEqual([{ user: 'U0BOB', at: '2025-05-01T09:01:00.000Z' }]);
    await store.setMessages(id, [{ channel: 'C0OPS', ts: '1714554000.000100' }]);
    expect((await store.get(id))?.approvals).toHaveLength(1);
    expect((await store.get(id))?.messages).toEqual([{ channel: 'C0OPS', ts: '1714554000.000100' }]);
  });

  it('never lets the requester approve their own request unless self approval is on', async () => {
    const { store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    const own = await store.approve(id, 'U0ALICE', { now: T0, selfApproval: false, owner: 'r1' });
    expect(own.status).toBe('self_approval');
    expect(await store.claimRun(id, { owner: 'r2', now: T0 })).toBeNull();
    expect((await store.get(id))?.state).toBe('pending');
    expect((await store.approve(id, 'U0ALICE', { now: T0, selfApproval: true, owner: 'r1' })).status).toBe(
      'approved',
    );
  });

  it('counts distinct approvers and approves on reaching the threshold', async () => {
    const { store } = setup();
    const { id } = await store.create(deployRequest({ required: 2 }), { ttlMinutes: 30, now: T0 });
    const at = { now: T0 + MIN, selfApproval: false, owner: 'r1' };
    expect((await store.approve(id, 'U0BOB', at)).status).toBe('recorded');
    expect((await store.approve(id, 'U0BOB', at)).status).toBe('already_approved_by_you');
    expect(await store.claimRun(id, { owner: 'r2', now: T0 })).toBeNull();
    const done = await store.approve(id, 'U0CAROL', at);
    expect(done).toMatchObject({ status: 'approved', request: { state: 'running' } });
    expect((await store.approve(id, 'U0DAVE', at)).status).toBe('closed');
  });

  it('runs an approved request once and records its outcome, kept for 30 days', async () => {
    const { redis, store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    expect(await store.finish(id, 'succeeded', 'too early')).toBeNull();
    await store.approve(id, 'U0BOB', { now: T0, selfApproval: false, owner: 'r1' });
    expect(await store.claimRun(id, { owner: 'r2', now: T0 })).toBeNull();
    const finished = await store.finish(id, 'succeeded', 'deployed 9f8e7d6, healthy');
    expect(finished).toMatchObject({ state: 'succeeded', outcome: 'deployed 9f8e7d6, healthy' });
    expect(await store.finish(id, 'failed', 'again')).toBeNull();
    const ttlDays = (await redis.pttl(`approval:${id}`)) / 86_400_000;
    expect(ttlDays).toBeGreaterThan(29.9);
    expect(ttlDays).toBeLessThanOrEqual(30);
    expect((await store.listByState(['succeeded'])).map((r) => r.id)).toEqual([id]);
    expect(await store.listByState(['pending', 'approved', 'running'])).toEqual([]);
  });

  it('rejects a pending request, after which nothing can approve or run it', async () => {
    const { store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    const rejected = await store.reject(id, 'U0BOB', 'not during the sale', T0 + MIN);
    expect(rejected.ok).toBe(true);
    expect(rejected.request).toMatchObject({
      state: 'rejected',
      rejection: { user: 'U0BOB', reason: 'not during the sale', at: '2025-05-01T09:01:00.000Z' },
    });
    expect((await store.reject(id, 'U0CAROL', 'me too', T0 + MIN)).ok).toBe(false);
    expect(
      (await store.approve(id, 'U0CAROL', { now: T0 + MIN, selfApproval: false, owner: 'r1' })).status,
    ).toBe('closed');
    expect(await store.claimRun(id, { owner: 'r2', now: T0 })).toBeNull();
  });

  it('lets only the requester cancel, and only while pending', async () => {
    const { store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    const byOther = await store.cancel(id, 'U0BOB', T0);
    expect(byOther.ok).toBe(false);
    expect(byOther.request?.state).toBe('pending');
    const own = await store.cancel(id, 'U0ALICE', T0);
    expect(own).toMatchObject({ ok: true, request: { state: 'cancelled', cancelledBy: 'U0ALICE' } });
    expect((await store.approve(id, 'U0BOB', { now: T0, selfApproval: false, owner: 'r1' })).status).toBe(
      'closed',
    );
  });

  it('treats a click at or after expiry as expired, even before the sweeper ran', async () => {
    const { store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    const late = await store.approve(id, 'U0BOB', { now: T0 + 30 * MIN, selfApproval: false, owner: 'r1' });
    expect(late).toMatchObject({ status: 'expired', request: { state: 'expired' } });
    expect((await store.approve(id, 'U0BOB', { now: T0, selfApproval: false, owner: 'r1' })).status).toBe(
      'closed',
    );
    expect(await store.expireDue(T0 + 60 * MIN)).toEqual([]);
    expect(await store.claimRun(id, { owner: 'r2', now: T0 })).toBeNull();
  });

  it('expireDue expires only what is due, once', async () => {
    const { store } = setup();
    const short = await store.create(deployRequest(), { ttlMinutes: 5, now: T0 });
    const long = await store.create(deployRequest(), { ttlMinutes: 60, now: T0 });
    expect(await store.expireDue(T0 + 5 * MIN - 1)).toEqual([]);
    const expired = await store.expireDue(T0 + 5 * MIN);
    expect(expired.map((r) => [r.id, r.state])).toEqual([[short.id, 'expired']]);
    expect(await store.expireDue(T0 + 5 * MIN)).toEqual([]);
    expect((await store.get(long.id))?.state).toBe('pending');
  });

  it('answers not_found for unknown or malformed ids', async () => {
    const { store } = setup();
    expect(
      await store.approve('AAAAAAAAAAAA', 'U0BOB', { now: T0, selfApproval: false, owner: 'r1' }),
    ).toEqual({
      status: 'not_found',
    });
    expect(
      await store.approve('../state:pending', 'U0BOB', { now: T0, selfApproval: false, owner: 'r1' }),
    ).toEqual({
      status: 'not_found',
    });
    expect(await store.get('nope')).toBeNull();
    expect(await store.claimRun('AAAAAAAAAAAA', { owner: 'r2', now: T0 })).toBeNull();
  });
});

describe('approval store: approve and claim are one transition (issue 13, broken 1)', () => {
  it('the approving click moves the request to running and writes its intent, owned by that replica', async () => {
    const { redis, store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    const result = await store.approve(id, 'U0BOB', {
      now: T0 + MIN,
      selfApproval: false,
      owner: 'replica-a',
    });
    expect(result).toMatchObject({ status: 'approved', request: { state: 'running' } });
    // Nothing else has to happen for the run to be owned: if Redis or the replica dies now,
    // the intent is there for another replica to adopt.
    expect(JSON.parse((await redis.get(`intent:${id}`)) ?? 'null')).toMatchObject({
      id,
      kind: 'deploy',
      owner: 'replica-a',
      stage: 'claimed',
      approvalId: id,
      user: 'U0ALICE',
      channel: 'C0DEPLOYS',
      createdAt: '2025-05-01T09:01:00.000Z',
    });
    expect(await redis.zrange('intents', '0', '-1')).toEqual([id]);
    expect(await store.listByState(['approved'])).toEqual([]);
    // Finishing the run removes the intent in the same step.
    await store.finish(id, 'failed', 'not run');
    expect(await redis.get(`intent:${id}`)).toBeNull();
    expect(await redis.zrange('intents', '0', '-1')).toEqual([]);
  });

  it('a request left approved by an older dockside is claimed once, with an intent', async () => {
    const { redis, store } = setup();
    const { id } = await store.create(deployRequest(), { ttlMinutes: 30, now: T0 });
    await redis.hset(`approval:${id}`, 'state', 'approved');
    const raw = JSON.parse((await redis.hget(`approval:${id}`, 'doc')) ?? '{}');
    await redis.hset(`approval:${id}`, 'doc', JSON.stringify({ ...raw, state: 'approved' }));
    await redis.zrem('approvals:state:pending', id);
    await redis.zadd('approvals:state:approved', T0, id);
    const claims = await Promise.all([
      store.claimRun(id, { owner: 'r1', now: T0 }),
      store.claimRun(id, { owner: 'r2', now: T0 }),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await store.get(id))?.state).toBe('running');
    expect(JSON.parse((await redis.get(`intent:${id}`)) ?? 'null')).toMatchObject({ stage: 'claimed' });
  });
});
