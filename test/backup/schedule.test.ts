import { describe, expect, it } from 'vitest';
import { scheduledDump } from '../../src/schedules/backups.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { LocalStorage } from '../../src/storage/local.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, fakeDo, MemoryAudit, makeConfig, scratchPg, silentLog, tempDir } from './helpers.js';

describe('scheduled dumps', async () => {
  const { redis } = testRedis('schedDump');
  const source = await scratchPg('sched');
  await source.query('CREATE TABLE t AS SELECT generate_series(1, 100) AS id');
  const config = makeConfig({
    databases: { main: { engine: 'postgres', url: source.url, backup_schedule: { cron: '0 3 * * *' } } },
  });
  const dir = await tempDir();
  const deps = (tools = {}) => ({
    config,
    redis,
    storage: new LocalStorage(dir),
    do: fakeDo().client,
    audit: new MemoryAudit(),
    clock: new FakeClock(Date.parse('2026-11-05T03:00:00Z')),
    log: silentLog,
    tools,
  });

  it('audits a scheduled dump as done by dockside, with its id and checksum', async () => {
    const d = deps();
    const notes: SlackMessage[] = [];
    await scheduledDump(d, 'main', async (m) => notes.push(m));
    expect(d.audit.entries.map((e) => `${e.actor} ${e.action} ${e.result}`)).toEqual([
      'dockside backup.dump started',
      'dockside backup.dump succeeded',
    ]);
    expect(d.audit.entries[1]?.data?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.audit.entries[1]?.ref).toBe(d.audit.entries[0]?.id);
    expect(notes).toEqual([]);
  });

  it('tells the ops channel when a scheduled dump fails, since nobody is waiting for it', async () => {
    const d = deps({ pg_dump: '/nonexistent/pg_dump' });
    const notes: SlackMessage[] = [];
    await expect(scheduledDump(d, 'main', async (m) => notes.push(m))).rejects.toThrow(/not installed/);
    expect(notes.map((n) => n.text)).toEqual([
      ':x: The scheduled dump of *main* failed: pg_dump is not installed where dockside runs.',
    ]);
    expect(d.audit.entries.at(-1)).toMatchObject({
      result: 'failed',
      detail: 'pg_dump is not installed where dockside runs.',
    });
  });
});
