import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisApprovalStore } from '../../approvals/store.js';
import type { ApprovalStore, NewApprovalRequest } from '../../approvals/types.js';
import { REDIS_URL, testRedis } from '../helpers/redis.js';

const T0 = Date.parse('2025-05-01T09:00:00Z');
const MIN = 60_000;

const request = (required: number): NewApprovalRequest => ({
  kind: 'promote',
  requester: 'U0ALICE',
  channel: 'C0DEPLOYS',
  command: '/promote web',
  app: 'web',
  summary: 'Promote web staging to production',
  binding: { digest: 'sha256:abc' },
  params: {},
  required,
});

const connections: Redis[] = [];
afterAll(() => {
  for (const r of connections) r.disconnect();
});

/** One store per simulated replica, each on its own Redis connection. */
async function replicas(n: number): Promise<{ stores: ApprovalStore[]; first: ApprovalStore }> {
  const { redis, prefix } = testRedis('approvals-race');
  const stores = Array.from({ length: n }, () => {
    const r = new Redis(REDIS_URL, { keyPrefix: prefix });
    connections.push(r);
    return createRedisApprovalStore({ redis: r });
  });
  await Promise.all(stores.map((s) => s.get('warmup-connection')));
  return { stores, first: createRedisApprovalStore({ redis }) };
}

describe('approval store under concurrent clicks', () => {
  it('50 approvers clicking at once on 50 connections: exactly one click approves', async () => {
    const { stores, first } = await replicas(50);
    const { id } = await first.create(request(1), { ttlMinutes: 30, now: T0 });
    const started = performance.now();
    const results = await Promise.all(
      stores.map((s, i) => s.approve(id, `U0APP${i}`, { now: T0 + MIN, selfApproval: false, owner: 'r1' })),
    );
    console.info(`approvals: 50 concurrent approve() in ${(performance.now() - started).toFixed(1)} ms`);
    expect(results.filter((r) => r.status === 'approved')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'closed')).toHaveLength(49);
    expect((await first.get(id))?.approvals).toHaveLength(1);
  });

  it('identical requests filed at once on 8 connections: one is created, the others point to it', async () => {
    const { stores, first } = await replicas(8);
    const options = { ttlMinutes: 30, now: T0, identity: 'promote web sha256:abc' };
    const filed = await Promise.all(stores.map((s) => s.createOnce(request(1), options)));
    expect(filed.filter((f) => !f.duplicate)).toHaveLength(1);
    expect(new Set(filed.map((f) => f.request.id)).size).toBe(1);
    expect(await first.listByState(['pending'])).toHaveLength(1);

    // Once it is no longer pending, the same request may be filed again (once).
    const [only] = filed;
    await first.cancel(only?.request.id ?? '', 'U0ALICE', T0 + MIN);
    const again = await Promise.all(
      stores.map((s) => s.createOnce(request(1), { ...options, now: T0 + 2 * MIN })),
    );
    expect(again.filter((f) => !f.duplicate)).toHaveLength(1);
    expect(again[0]?.request.id).not.toBe(only?.request.id);
  });

  it('with 3 required, exactly three distinct approvals are counted and one click completes it', async () => {
    const { stores, first } = await replicas(50);
    const { id } = await first.create(request(3), { ttlMinutes: 30, now: T0 });
    const results = await Promise.all(
      stores.map((s, i) => s.approve(id, `U0APP${i}`, { now: T0 + MIN, selfApproval: false, owner: 'r1' })),
    );
    const count = (status: string) => results.filter((r) => r.status === status).length;
    expect([count('approved'), count('recorded'), count('closed')]).toEqual([1, 2, 47]);
    const stored = await first.get(id);
    expect(stored?.state).toBe('running');
    expect(new Set(stored?.approvals.map((a) => a.user)).size).toBe(3);
  });

  it('20 replicas approving at once: exactly one owns the run, and no click leaves it owned by nobody', async () => {
    const { stores, first } = await replicas(20);
    const { id } = await first.create(request(1), { ttlMinutes: 30, now: T0 });
    const results = await Promise.all(
      stores.map((s, i) => s.approve(id, `U0APPROVER${i}`, { now: T0, selfApproval: false, owner: `r${i}` })),
    );
    const winners = results.filter((r) => r.status === 'approved');
    expect(winners).toHaveLength(1);
    expect((await first.get(id))?.state).toBe('running');
    const claims = await Promise.all(stores.map((s, i) => s.claimRun(id, { owner: `r${i}`, now: T0 })));
    expect(claims.filter(Boolean)).toHaveLength(0);
  });

  it('an approval racing the expiry sweep either approves or expires, never both', async () => {
    const { stores, first } = await replicas(6);
    const outcomes = new Set<string>();
    for (let round = 0; round < 30; round++) {
      const { id } = await first.create(request(1), { ttlMinutes: 30, now: T0 });
      const expiry = T0 + 30 * MIN;
      const approve = () =>
        stores[0]!.approve(id, 'U0BOB', { now: expiry - 1, selfApproval: false, owner: 'r1' });
      const sweep = () => Promise.all(stores.slice(1).map((s) => s.expireDue(expiry)));
      // Both orders of arrival happen for sure (a loaded machine decides a race one way
      // every time); every third round is a true race, click and sweeps at once.
      let approval: Awaited<ReturnType<typeof approve>>;
      let sweeps: Awaited<ReturnType<typeof sweep>>;
      if (round % 3 === 0) {
        approval = await approve();
        sweeps = await sweep();
      } else if (round % 3 === 1) {
        sweeps = await sweep();
        approval = await approve();
      } else {
        [approval, sweeps] = await Promise.all([approve(), sweep()]);
      }
      const expiredBySweep = sweeps.flat().filter((r) => r.id === id);
      const state = (await first.get(id))?.state;
      if (approval?.status === 'approved') {
        expect(expiredBySweep).toEqual([]);
        expect(state).toBe('running');
      } else {
        expect(approval).toMatchObject({ status: 'closed', request: { state: 'expired' } });
        expect(expiredBySweep).toHaveLength(1);
        expect(state).toBe('expired');
        expect(await first.claimRun(id, { owner: 'r2', now: T0 })).toBeNull();
      }
      outcomes.add(state ?? 'missing');
    }
    expect([...outcomes].sort()).toEqual(['expired', 'running']);
  });

  it('several sweepers expire each due request exactly once', async () => {
    const { stores, first } = await replicas(5);
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await first.create(request(1), { ttlMinutes: 1, now: T0 })).id);
    const swept = (await Promise.all(stores.map((s) => s.expireDue(T0 + 2 * MIN)))).flat();
    expect(swept.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
