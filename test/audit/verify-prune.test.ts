import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hashEntry } from '../../src/audit/chain.js';
import { createRedisAuditLog } from '../../src/audit/redis-audit-log.js';
import type { AuditEntry } from '../../src/audit/types.js';
import { testRedis } from '../helpers/redis.js';

const DAY = 24 * 60 * 60 * 1000;

async function logWith(count: number) {
  const { redis } = testRedis('audit-v');
  let t = Date.parse('2025-01-01T00:00:00Z');
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const audit = createRedisAuditLog({ redis, clock, retentionDays: 30 });
  const written: AuditEntry[] = [];
  for (let i = 0; i < count; i++) {
    written.push(
      await audit.append({
        actor: 'U0ALICE',
        action: 'deploy',
        app: 'web',
        result: 'started',
        detail: `n${i}`,
      }),
    );
    clock.advance(1000);
  }
  return { redis, clock, audit, written };
}

async function stored(redis: Redis, id: string): Promise<AuditEntry> {
  return JSON.parse((await redis.hget('audit:entries', id)) ?? 'null') as AuditEntry;
}

describe('audit verify', () => {
  it('detects an entry whose text was changed', async () => {
    const { redis, audit, written } = await logWith(6);
    const target = written[3]!;
    await redis.hset('audit:entries', target.id, JSON.stringify({ ...target, detail: 'nothing to see' }));
    expect(await audit.verify()).toEqual({
      ok: false,
      checked: 3,
      brokenAt: { id: target.id, reason: 'This entry was changed after it was written.' },
    });
  });

  it('detects a changed entry even when its own hash was recomputed', async () => {
    const { redis, audit, written } = await logWith(6);
    const { hash: _old, ...rest } = { ...written[2]!, actor: 'U0MALLORY' };
    await redis.hset('audit:entries', rest.id, JSON.stringify({ ...rest, hash: hashEntry(rest) }));
    const result = await audit.verify();
    expect(result.ok).toBe(false);
    expect(result.brokenAt?.id).toBe(written[3]!.id);
    expect(result.brokenAt?.reason).toMatch(/does not follow the one before it/);
  });

  it('detects an entry removed from the middle', async () => {
    const { redis, audit, written } = await logWith(6);
    await redis.hdel('audit:entries', written[2]!.id);
    await redis.zrem('audit:ids', written[2]!.id);
    expect((await audit.verify()).brokenAt).toEqual({
      id: written[3]!.id,
      reason: '1 entry before this one is missing.',
    });
  });

  it('detects entries swapped in order', async () => {
    const { redis, audit, written } = await logWith(6);
    await redis.zadd('audit:ids', 3, written[3]!.id, 4, written[2]!.id);
    expect((await audit.verify()).brokenAt?.reason).toBe('This entry is out of order.');
  });

  it('detects entries whose contents were swapped between positions', async () => {
    const { redis, audit, written } = await logWith(6);
    await redis.hset('audit:entries', written[1]!.id, JSON.stringify(written[4]));
    expect((await audit.verify()).brokenAt).toEqual({
      id: written[1]!.id,
      reason: `This entry was moved here from position ${written[4]!.id}.`,
    });
  });

  it('detects the newest entries cut off and a deleted head record', async () => {
    const { redis, audit, written } = await logWith(6);
    for (const e of written.slice(4)) {
      await redis.hdel('audit:entries', e.id);
      await redis.zrem('audit:ids', e.id);
    }
    expect((await audit.verify()).brokenAt?.reason).toBe(
      'The newest 2 entries are missing (the chain ends before its recorded head).',
    );
    await redis.del('audit:head');
    expect((await audit.verify()).ok).toBe(false);
  });
});

describe('audit retention', () => {
  it('archives old entries before removing them, and verify still passes from the checkpoint', async () => {
    const { redis, clock, audit, written } = await logWith(10);
    clock.advance(31 * DAY);
    for (let i = 0; i < 3; i++) await audit.append({ actor: 'U0BOB', action: 'query', result: 'succeeded' });

    const result = await audit.prune(clock.now());

    expect(result.pruned).toBe(10);
    expect(result.upTo).toBe(written[9]!.id);
    expect(result.checkpoint).toMatchObject({ seq: 10, hash: written[9]!.hash, count: 10 });
    const archived = await redis.xrange('audit:archive', '-', '+');
    expect(archived.map(([, fields]) => JSON.parse(fields[3]!) as AuditEntry)).toEqual(written);
    const live = await audit.list({ limit: 200 });
    expect(live.map((e) => e.action)).toEqual(['audit.prune', 'query', 'query', 'query']);
    expect(live[0]).toMatchObject({
      actor: 'dockside',
      detail: `pruned 10 entries up to ${written[9]!.id}, archived to audit:archive`,
    });
    expect(await audit.list({ app: 'web' })).toEqual([]);
    expect(await audit.verify()).toEqual({ ok: true, checked: 4 });
    expect((await audit.prune(clock.now())).pruned).toBe(0);
    expect(await audit.list({ limit: 200 })).toHaveLength(4);
  });

  it('makes a removed checkpoint visible to verify', async () => {
    const { redis, clock, audit } = await logWith(5);
    clock.advance(31 * DAY);
    await audit.prune(clock.now());
    await redis.del('audit:checkpoint');
    expect((await audit.verify()).brokenAt?.reason).toBe('5 entries before this one are missing.');
  });

  it('removes nothing when the archive callback fails', async () => {
    const { redis } = testRedis('audit-v');
    let t = Date.parse('2025-01-01T00:00:00Z');
    const audit = createRedisAuditLog({
      redis,
      clock: { now: () => t },
      retentionDays: 30,
      onArchive: () => Promise.reject(new Error('Spaces unreachable')),
    });
    for (let i = 0; i < 4; i++) await audit.append({ actor: 'U0ALICE', action: 'deploy', result: 'started' });
    t += 31 * DAY;
    await expect(audit.prune(t)).rejects.toThrow('Spaces unreachable');
    expect(await audit.list()).toHaveLength(4);
    expect(await redis.exists('audit:archive')).toBe(0);
    expect(await audit.verify()).toEqual({ ok: true, checked: 4 });
  });

  it('refuses to archive away a tampered chain', async () => {
    const { redis, clock, audit, written } = await logWith(5);
    await redis.hset(
      'audit:entries',
      written[1]!.id,
      JSON.stringify({ ...(await stored(redis, written[1]!.id)), detail: 'x' }),
    );
    clock.advance(31 * DAY);
    await expect(audit.prune(clock.now())).rejects.toMatchObject({ code: 'internal' });
    expect(await audit.list({ limit: 200 })).toHaveLength(5);
  });
});
