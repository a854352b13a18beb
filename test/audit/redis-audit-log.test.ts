import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/chain.js';
import { createRedisAuditLog } from '../../src/audit/redis-audit-log.js';
import type { AuditEntryInput } from '../../src/audit/types.js';
import { isDocksideError } from '../../src/errors.js';
import { REDIS_URL, testRedis } from '../helpers/redis.js';

const clockAt = (iso: string) => {
  let t = Date.parse(iso);
  return { now: () => t, set: (next: string) => (t = Date.parse(next)), advance: (ms: number) => (t += ms) };
};

const entry = (over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actor: 'U0ALICE',
  action: 'deploy',
  app: 'web',
  env: 'staging',
  result: 'started',
  ...over,
});

const extra: Redis[] = [];
afterAll(() => {
  for (const r of extra) r.disconnect();
});

describe('redis audit log: append', () => {
  it('chains each entry to the previous one with sha256 over prev and canonical JSON', async () => {
    const { redis } = testRedis('audit');
    const audit = createRedisAuditLog({ redis, clock: clockAt('2025-03-01T10:00:00Z'), retentionDays: 400 });
    const first = await audit.append(entry({ command: '/deploy web staging' }));
    const second = await audit.append(entry({ result: 'succeeded', ref: first.id, durationMs: 1234 }));

    expect(first.prev).toBe('genesis');
    expect(second.prev).toBe(first.hash);
    expect(second.id > first.id).toBe(true);
    expect(first.at).toBe('2025-03-01T10:00:00.000Z');
    const { hash, ...rest } = second;
    const expected = createHash('sha256')
      .update(`${rest.prev}\n${canonicalJson(rest)}`)
      .digest('hex');
    expect(hash).toBe(expected);
    expect(await audit.verify()).toEqual({ ok: true, checked: 2 });
  });

  it('never stores a secret, even one typed into a command or detail', async () => {
    const { redis } = testRedis('audit');
    const audit = createRedisAuditLog({ redis, clock: clockAt('2025-03-01T10:00:00Z'), retentionDays: 400 });
    const token = `xoxb-${'1'.repeat(12)}-secretpart`;
    const written = await audit.append(
      entry({
        command: `/query main select 1 -- ${token}`,
        detail: 'connect to postgres://app:hunter2pass@db.example.com:25060/app failed',
        data: { url: 'mysql://root:topsecret99@10.0.0.1/erp', rows: 3 },
      }),
    );
    const stored = (await redis.hget('audit:entries', written.id)) ?? '';
    expect(stored).toContain('db.example.com');
    for (const secret of [token, 'hunter2pass', 'topsecret99']) expect(stored).not.toContain(secret);
    expect(written.detail).toContain('[redacted]');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('keeps one unbroken chain when several replicas append at the same moment', async () => {
    const { redis, prefix } = testRedis('audit');
    const clock = clockAt('2025-03-01T10:00:00Z');
    const replicas = Array.from({ length: 5 }, () => {
      const r = new Redis(REDIS_URL, { keyPrefix: prefix });
      extra.push(r);
      return createRedisAuditLog({ redis: r, clock, retentionDays: 400, appendTimeoutMs: 10_000 });
    });
    const perReplica = 40;
    const started = performance.now();
    const written = await Promise.all(
      replicas.flatMap((audit, r) =>
        Array.from({ length: perReplica }, (_, i) =>
          audit.append(entry({ actor: `U0R${r}`, detail: `n${i}` })),
        ),
      ),
    );
    const ms = performance.now() - started;
    console.info(`audit: ${written.length} contended appends from 5 connections in ${ms.toFixed(0)} ms`);

    expect(new Set(written.map((e) => e.id)).size).toBe(200);
    const check = createRedisAuditLog({ redis, clock, retentionDays: 400 });
    expect(await check.verify()).toEqual({ ok: true, checked: 200 });
  });

  it('appends sequentially fast enough for a busy bot', async () => {
    const { redis } = testRedis('audit');
    const audit = createRedisAuditLog({ redis, clock: clockAt('2025-03-01T10:00:00Z'), retentionDays: 400 });
    const n = 1000;
    const started = performance.now();
    for (let i = 0; i < n; i++) await audit.append(entry({ detail: `n${i}` }));
    const perSecond = n / ((performance.now() - started) / 1000);
    console.info(`audit: sequential append throughput ${perSecond.toFixed(0)}/s`);
    expect(perSecond).toBeGreaterThan(200);
  });
});

describe('redis audit log: when Redis is down', () => {
  it('refuses within a few hundred ms with audit_unavailable when the client is set up to fail fast', async () => {
    const redis = new Redis({
      port: 1,
      host: '127.0.0.1',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
    });
    redis.on('error', () => {});
    extra.push(redis);
    const audit = createRedisAuditLog({ redis, clock: clockAt('2025-03-01T10:00:00Z'), retentionDays: 400 });
    const started = performance.now();
    const err = await audit.append(entry()).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(600);
    expect(isDocksideError(err, 'audit_unavailable')).toBe(true);
    expect((err as Error).message).toBe('The audit log (Redis) cannot be written, so nothing was done.');
  });

  it('still gives up on its own deadline with ioredis default retries (20 reconnects)', async () => {
    const redis = new Redis({ port: 1, host: '127.0.0.1' });
    redis.on('error', () => {});
    extra.push(redis);
    const audit = createRedisAuditLog({
      redis,
      clock: clockAt('2025-03-01T10:00:00Z'),
      retentionDays: 400,
      appendTimeoutMs: 300,
    });
    const started = performance.now();
    await expect(audit.append(entry())).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect(performance.now() - started).toBeLessThan(800);
  });
});

describe('redis audit log: list and export', () => {
  async function seeded() {
    const { redis } = testRedis('audit');
    const clock = clockAt('2025-03-01T10:00:00Z');
    const audit = createRedisAuditLog({ redis, clock, retentionDays: 400 });
    for (let i = 0; i < 30; i++) {
      await audit.append(
        entry({
          app: i % 3 === 0 ? 'erp' : 'web',
          actor: i % 2 === 0 ? 'U0ALICE' : 'U0BOB',
          detail: `n${i}`,
        }),
      );
      clock.advance(60_000);
    }
    return audit;
  }

  it('lists newest first, 20 by default, at most 200', async () => {
    const audit = await seeded();
    const recent = await audit.list();
    expect(recent).toHaveLength(20);
    expect(recent[0]?.detail).toBe('n29');
    expect(recent[19]?.detail).toBe('n10');
    expect(await audit.list({ limit: 5000 })).toHaveLength(30);
    expect((await audit.list({ limit: 3 })).map((e) => e.detail)).toEqual(['n29', 'n28', 'n27']);
  });

  it('filters by app, by user and by both', async () => {
    const audit = await seeded();
    const erp = await audit.list({ app: 'erp', limit: 200 });
    expect(erp.map((e) => e.detail)).toEqual([
      'n27',
      'n24',
      'n21',
      'n18',
      'n15',
      'n12',
      'n9',
      'n6',
      'n3',
      'n0',
    ]);
    const bob = await audit.list({ user: 'U0BOB', limit: 200 });
    expect(bob).toHaveLength(15);
    expect(bob.every((e) => e.actor === 'U0BOB')).toBe(true);
    const both = await audit.list({ app: 'erp', user: 'U0BOB', limit: 2 });
    expect(both.map((e) => e.detail)).toEqual(['n27', 'n21']);
    expect(await audit.list({ app: 'nope' })).toEqual([]);
  });

  it('lists only entries since a time', async () => {
    const audit = await seeded();
    const since = await audit.list({ since: '2025-03-01T10:25:00Z', limit: 200 });
    expect(since.map((e) => e.detail)).toEqual(['n29', 'n28', 'n27', 'n26', 'n25']);
    await expect(audit.list({ since: 'yesterday' })).rejects.toMatchObject({ code: 'usage' });
  });

  it('exports oldest first, filtered by since and app', async () => {
    const audit = await seeded();
    const all = [];
    for await (const e of audit.export()) all.push(e.detail);
    expect(all).toHaveLength(30);
    expect(all[0]).toBe('n0');
    expect(all[29]).toBe('n29');
    const some = [];
    for await (const e of audit.export({ app: 'erp', since: '2025-03-01T10:20:00Z' })) some.push(e.detail);
    expect(some).toEqual(['n21', 'n24', 'n27']);
  });
});
