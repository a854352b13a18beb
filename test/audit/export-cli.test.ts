import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runAuditExport } from '../../src/audit/export-cli.js';
import { createRedisAuditLog } from '../../src/audit/redis-audit-log.js';
import { testRedis } from '../helpers/redis.js';

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { out, text: () => text };
}

async function seeded() {
  const { redis } = testRedis('audit-cli');
  let t = Date.parse('2025-02-01T00:00:00Z');
  const audit = createRedisAuditLog({ redis, clock: { now: () => t }, retentionDays: 400 });
  for (const app of ['web', 'erp', 'web']) {
    await audit.append({ actor: 'U0ALICE', action: 'deploy', app, result: 'started' });
    t += 60 * 60 * 1000;
  }
  return audit;
}

describe('dockside audit export', () => {
  it('prints JSON lines oldest first, filtered by --app and --since', async () => {
    const audit = await seeded();
    const { out, text } = capture();
    const code = await runAuditExport(['--app', 'web', '--since', '2025-02-01T01:30:00Z'], { audit, out });
    expect(code).toBe(0);
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ app: 'web', at: '2025-02-01T02:00:00.000Z' });

    const all = capture();
    expect(await runAuditExport([], { audit, out: all.out })).toBe(0);
    expect(
      all
        .text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { app: string }).app),
    ).toEqual(['web', 'erp', 'web']);
  });

  it.each([
    [['--since', 'last tuesday'], '--since "last tuesday" is not an ISO date.'],
    [['--app', 'Web App'], '--app "Web App" is not an app name.'],
    [['--limit', '5'], "Unknown option '--limit'"],
    [['web'], 'Unexpected argument'],
  ])('rejects %j with exit code 2 and the usage line', async (argv, problem) => {
    const audit = await seeded();
    const { out, text } = capture();
    expect(await runAuditExport(argv, { audit, out })).toBe(2);
    expect(text()).toContain(problem);
    expect(text()).toContain('Usage: dockside audit export [--since');
  });
});
