import { describe, expect, it } from 'vitest';
import { createRedisAuditLog } from '../../src/audit/redis-audit-log.js';
import { createDataServices } from '../../src/data-services.js';
import { createRedisLockStore } from '../../src/locks/redis-lock-store.js';
import { createLogger } from '../../src/logger.js';
import { renderHealthReport } from '../../src/render/health.js';
import { FakeClock, fakeDo, makeConfig } from '../backup/helpers.js';
import { testRedis } from '../helpers/redis.js';

describe('a local backup destination in production', async () => {
  const { redis } = testRedis('localdest');
  const clock = new FakeClock(Date.parse('2026-11-30T09:00:00Z'));

  async function start(production: boolean, destination: Record<string, unknown>) {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const data = createDataServices({
      config: makeConfig({ backups: { destination } }),
      redis,
      do: fakeDo().client,
      audit: createRedisAuditLog({ redis, clock, retentionDays: 400, log }),
      locks: createRedisLockStore({ redis, clock }),
      approvals: {} as never,
      slack: { post: async () => ({ ts: '1' }), update: async () => undefined } as never,
      clock,
      log,
      schedules: false,
      production,
    });
    await data.start();
    const report = await data.health.report();
    await data.stop();
    return { lines, report };
  }

  it('is logged at start-up and shown by /health: a redeploy discards the dumps', async () => {
    const { lines, report } = await start(true, { type: 'local', path: '/var/lib/dockside/backups' });
    expect(lines.some((l) => /"level":40.*which a redeploy discards/.test(l))).toBe(true);
    const text = renderHealthReport(report, clock.now()).text;
    expect(text).toContain(
      ":warning: Backups are written to /var/lib/dockside/backups on dockside's own disk, which a redeploy discards",
    );
    expect(text).toContain('set backups.destination to s3 (DigitalOcean Spaces)');
  });

  it('says nothing for Spaces, or for a local disk outside production', async () => {
    const s3 = await start(true, {
      type: 's3',
      endpoint: 'http://127.0.0.1:9',
      bucket: 'bkp',
      access_key_id: 'key',
      secret_access_key: 'secret-for-test',
    });
    expect(s3.report.notices).toEqual([]);
    expect(s3.lines.some((l) => /redeploy discards/.test(l))).toBe(false);
    const dev = await start(false, { type: 'local', path: '/tmp/x' });
    expect(dev.report.notices).toEqual([]);
    expect(renderHealthReport(dev.report, clock.now()).text).not.toContain(':warning:');
  });
});
