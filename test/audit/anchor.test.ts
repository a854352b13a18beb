import { describe, expect, it } from 'vitest';
import type { AnchorStore, AuditAnchor } from '../../src/audit/anchor.js';
import { createRedisAuditLog } from '../../src/audit/redis-audit-log.js';
import { testRedis } from '../helpers/redis.js';

function memoryAnchors(): AnchorStore & { saved: AuditAnchor[] } {
  const saved: AuditAnchor[] = [];
  return {
    saved,
    latest: async () => saved.at(-1) ?? null,
    save: async (a) => {
      saved.push(a);
    },
  };
}

async function logWith(count: number) {
  const { redis } = testRedis('audit-anchor');
  const anchors = memoryAnchors();
  const audit = createRedisAuditLog({
    redis,
    clock: { now: () => Date.parse('2026-11-30T09:00:00Z') },
    retentionDays: 30,
    anchors,
  });
  const written = [];
  for (let i = 0; i < count; i++)
    written.push(
      await audit.append({
        actor: 'U0ALICE',
        action: 'deploy',
        app: 'web',
        result: 'started',
        detail: `n${i}`,
      }),
    );
  return { redis, audit, anchors, written };
}

describe('audit verify against the anchor kept outside Redis', () => {
  it('finds the newest entries cut off below the anchor, which the chain alone cannot see', async () => {
    const { redis, audit, anchors, written } = await logWith(8);
    const last = written.at(-1)!;
    anchors.saved.push({ seq: 8, hash: last.hash, id: last.id, at: '2026-11-30T09:00:00Z' });
    // Cut the last two entries and rewrite the head to the sixth: a consistent, shorter chain.
    const sixth = written[5]!;
    await redis.hdel('audit:entries', written[6]!.id, written[7]!.id);
    await redis.zrem('audit:ids', written[6]!.id, written[7]!.id);
    await redis.hset('audit:head', 'seq', '6', 'hash', sixth.hash, 'id', sixth.id);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      brokenAt: {
        reason: 'The log ends at entry 6, but the anchor of 2026-11-30 09:00 kept outside Redis records 8.',
      },
    });
  });

  it('finds an entry rewritten together with everything after it, when it is the anchored one', async () => {
    const { redis, audit, anchors, written } = await logWith(4);
    anchors.saved.push({ seq: 3, hash: 'f'.repeat(64), id: written[2]!.id, at: '2026-11-30T09:00:00Z' });
    expect(await audit.verify()).toMatchObject({
      ok: false,
      brokenAt: {
        id: written[2]!.id,
        reason: 'This entry does not match the anchor of 2026-11-30 09:00 kept outside Redis.',
      },
    });
    expect(await redis.exists('audit:head')).toBe(1);
  });

  it('an empty Redis with an anchor continues the chain from it', async () => {
    const { redis, anchors, written } = await logWith(3);
    const last = written.at(-1)!;
    anchors.saved.push({ seq: 3, hash: last.hash, id: last.id, at: '2026-11-30T09:00:00Z' });
    await redis.del('audit:head', 'audit:entries', 'audit:ids', 'audit:app:web', 'audit:user:U0ALICE');
    const fresh = createRedisAuditLog({
      redis,
      clock: { now: () => Date.now() },
      retentionDays: 30,
      anchors,
    });
    const next = await fresh.append({ actor: 'U0BOB', action: 'deploy', result: 'started' });
    expect(next).toMatchObject({ id: '000000000004', prev: last.hash });
    expect(await fresh.verify()).toEqual({
      ok: true,
      checked: 1,
      historyMissing: { first: 4, last: 4, anchorAt: '2026-11-30T09:00:00Z', expectedBefore: 3 },
    });
  });
});
