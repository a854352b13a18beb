import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createRedisAuditLog } from '../../src/audit/redis-audit-log.js';
import { systemClock } from '../../src/clock.js';
import { testRedis } from '../helpers/redis.js';

const run = promisify(execFile);
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;

describe('dockside audit export', () => {
  const { redis, prefix } = testRedis('cli');

  it('prints the audit log as JSON lines, filtered by app and time', async () => {
    const audit = createRedisAuditLog({ redis, clock: systemClock, retentionDays: 30 });
    await audit.append({ actor: 'U0ALICE', action: 'deploy', app: 'web', env: 'staging', result: 'started' });
    await audit.append({ actor: 'U0BOB', action: 'query', database: 'main', result: 'succeeded' });
    await audit.append({
      actor: 'dockside',
      action: 'deploy.result',
      app: 'web',
      env: 'staging',
      result: 'succeeded',
    });
    // The CLI reads REDIS_URL; the key prefix keeps this test's entries apart.
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'audit', 'export', '--app', 'web'],
      {
        env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix },
      },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; hash: string });
    expect(lines.map((l) => l.action)).toEqual(['deploy', 'deploy.result']);
    expect(lines.every((l) => /^[0-9a-f]{64}$/.test(l.hash))).toBe(true);
  });

  it('answers bad arguments with the usage and exit code 2', async () => {
    const err = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'audit', 'export', '--since', 'yesterday-ish', '--bogus'],
      {
        env: { ...process.env, REDIS_KEY_PREFIX: `cli-bad-${randomBytes(2).toString('hex')}:` },
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('Usage: dockside audit export');
  });
});
