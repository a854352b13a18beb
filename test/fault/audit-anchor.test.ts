import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

// Issue 13, degraded: Redis restarted empty erased the audit history, and `/audit verify`
// then said "intact (0 entries checked)": nothing outside Redis anchored the chain.
describe('the audit chain anchored outside Redis', async () => {
  const backups = mkdtempSync(path.join(tmpdir(), 'dockside-anchor-'));
  afterAll(() => rmSync(backups, { recursive: true, force: true }));
  const redis = await startRedisServer();
  const world = await testWorld({
    redisUrl: redis.url,
    config: (sim) =>
      parseConfig(
        `${sandboxConfigText({ githubApiUrl: sim.githubUrl })}\nbackups:\n  destination: { type: local, path: ${backups} }\n`,
        process.env,
        'anchor test',
      ),
    bot: { auditAnchors: { every: 5, tickMs: 100 } },
  });
  const append = (i: number) =>
    world.bot.audit.append({
      actor: SANDBOX_USERS.alice,
      action: 'test.entry',
      app: 'web',
      result: 'info',
      detail: `#${i}`,
    });
  const verify = async () => {
    const res = await world.driver.command(SANDBOX_USERS.carol, SANDBOX_CHANNELS.dev, '/audit', 'verify');
    return (await answerTo(world, res)).text;
  };

  it('posts the chain head to the ops channel and the backup destination every N entries', async () => {
    for (let i = 1; i <= 12; i++) await append(i);
    const anchored = await waitFor(
      'an anchor in the ops channel',
      () =>
        world.slack.messages.find(
          (m) => m.channel === SANDBOX_CHANNELS.ops && /Audit chain anchor: entry 1[0-2],/.test(m.text),
        ),
      15_000,
    );
    expect(anchored.thread_ts).toBeDefined();
    expect(await verify()).toMatch(
      /^:white_check_mark: The audit log's hash chain is intact \(1[2-9] entries checked\)\.$/,
    );
  });

  it('after Redis restarts empty, the log goes on from the anchor and verify says history before it is missing', async () => {
    const [, last] =
      /Audit chain anchor: entry (\d+),/.exec(
        world.slack.messages.filter((m) => m.text.startsWith('Audit chain anchor')).at(-1)?.text ?? '',
      ) ?? [];
    await new Promise((r) => setTimeout(r, 300));
    const anchoredSeq = Number(last);
    await redis.restartEmpty();
    await waitFor(
      'Redis to be back',
      async () => (await fetch(`http://127.0.0.1:${world.bot.port}/health`)).status === 200,
      10_000,
    );
    const lost = (await world.bot.audit.list({ limit: 1 }))[0];
    expect(lost).toBeUndefined();
    const first = await waitFor('an append to land', () => append(100).catch(() => undefined), 5000);
    const anchor =
      world.slack.messages.filter((m) => m.text.startsWith('Audit chain anchor')).at(-1)?.text ?? '';
    const anchoredAt = /\((\d{4}-\d\d-\d\d \d\d:\d\d) UTC\)/.exec(anchor)?.[1];
    const seq = Number(/entry (\d+)/.exec(anchor)?.[1]);
    expect(seq).toBeGreaterThanOrEqual(anchoredSeq);
    expect(Number(first.id)).toBe(seq + 1);
    const text = await verify();
    expect(text).toContain(
      `history before it is missing: the log holds entries ${seq + 1}–${seq + 1}; the anchor of ${anchoredAt} expected ${seq} earlier entries.`,
    );
  });
});
