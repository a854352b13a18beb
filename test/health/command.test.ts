import { describe, expect, it } from 'vitest';
import { createHealthCommand } from '../../commands/health.js';
import type { CommandContext } from '../../commands/types.js';
import type { HealthReport } from '../../handlers/health/types.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { FakeClock, makeConfig, silentLog } from '../backup/helpers.js';

const config = makeConfig({ apps: { web: { environments: { staging: { app_id: 'a1' } } } } });

describe('/health', () => {
  it('accepts no app or a known app, and names the known apps otherwise', () => {
    const cmd = createHealthCommand({ health: { report: async () => ({}) as HealthReport } });
    expect(cmd.parse('', config)).toEqual({});
    expect(cmd.parse('web', config)).toEqual({ app: 'web' });
    expect(() => cmd.parse('shop', config)).toThrow('There is no app `shop` (known: web).');
    expect(cmd.access({})).toBeNull();
    expect(cmd.audited).toBe(false);
  });

  it('answers with the table for the app asked about', async () => {
    const asked: Array<string | undefined> = [];
    const cmd = createHealthCommand({
      clock: new FakeClock(Date.parse('2026-11-05T09:00:00Z')),
      health: {
        report: async (app) => {
          asked.push(app);
          return {
            envs: [
              {
                app: 'web',
                env: 'staging',
                appId: 'a1',
                state: 'bad',
                checks: [{ name: 'http', state: 'bad', detail: '503 20ms' }],
              },
            ],
            databases: [],
            redis: { name: 'redis', state: 'good', latencyMs: 1 },
            locks: [{ app: 'web', env: 'staging', by: 'U0BOB', reason: 'qa', since: '2026-11-05T08:00:00Z' }],
            checkedAt: '2026-11-05T09:00:00Z',
            durationMs: 40,
          };
        },
      },
    });
    const replies: SlackMessage[] = [];
    const ctx = {
      invocation: { user: 'U0ALICE', channel: 'C1', text: 'web', commandText: '/health', requestId: 'r' },
      config,
      reply: { ephemeral: async (m: SlackMessage) => void replies.push(m) },
      log: silentLog,
    } as unknown as CommandContext;
    const outcome = await cmd.run(ctx, { app: 'web' });
    expect(asked).toEqual(['web']);
    expect(replies[0]?.text).toContain('❌ web/staging  http 503 20ms ✗');
    expect(replies[0]?.text).toContain(':lock: web/staging locked by <@U0BOB> 1h 0m ago: qa');
    expect(outcome).toEqual({ result: 'succeeded', detail: '1 envs, 1 unhealthy' });
  });
});
