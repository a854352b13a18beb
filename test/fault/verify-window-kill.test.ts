import { describe, expect, it } from 'vitest';
import { createWatcherStore } from '../../handlers/deploy/watchers.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfig } from '../../src/sandbox/config.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { waitFor } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { spawnBotProcess } from './helpers/spawn-bot.js';

const WINDOW_S = 6;

// Issue 11: a replica SIGKILLed during the verification window; another resumes the window
// where it was (same start, health not checked again) and announces the outcome once.
describe('a replica killed during the verification window', async () => {
  const health = await startHealthServer();
  const sandbox = { healthBaseUrl: health.url, verifyWindow: `${WINDOW_S}s` };
  const { world } = await faultWorld({
    config: (sim) => sandboxConfig({ ...sandbox, githubApiUrl: sim.githubUrl }),
  });

  it('is resumed by another replica within the lease, keeping the window and announcing once', async () => {
    const doomed = await spawnBotProcess(world, { replicaId: 'verifier', config: world.bot.config });
    const watchers = createWatcherStore(world.bot.redis);
    const from = world.slack.messages.length;
    await doomed.driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web staging');
    const begun = await waitFor(
      'verification to begin',
      async () => (await watchers.list()).find((r) => r.verify?.steps.includes('health')),
      15_000,
    );
    const windowEnd = Date.parse(begun.verify?.startedAt ?? '') + WINDOW_S * 1000;
    await doomed.kill('SIGKILL');
    const killedAt = Date.now();
    expect(killedAt).toBeLessThan(windowEnd);
    const message = await waitFor(
      'the outcome',
      () => world.slack.messages.slice(from).find((m) => / (done|failed)$/.test(m.text)),
      25_000,
    );
    const doneAt = Date.now();
    expect(message.text).toBe('Deploying web staging: done');
    expect(doneAt).toBeGreaterThanOrEqual(windowEnd);
    // Taken over within the lease and the resume tick, then only the rest of the window.
    expect(doneAt - killedAt).toBeLessThan(10_000 + Math.max(0, windowEnd - killedAt));
    // The checklist is in the line's thread.
    const body = JSON.stringify((await withThread(world.slack, message)).blocks);
    expect(body.match(/:white_check_mark: Health: 200/g)).toHaveLength(1);
    expect(body).toContain(
      ':white_check_mark: Runtime errors vs the previous deployment: 0 error lines in 6 s',
    );
    expect(health.hits.get('/web-staging')).toBe(1);
    expect(
      world.slack.messages
        .slice(from)
        .filter((m) => !m.thread_ts && m.text.startsWith('Deploying web staging')),
    ).toHaveLength(1);
    const told = world.slack.replies(message).map((r) => r.text);
    expect(new Set(told).size).toBe(told.length);
    const results = await waitFor('the audited outcome', async () => {
      const found = (await world.bot.audit.list({ app: 'web', limit: 20 })).filter(
        (e) => e.action === 'deploy.result',
      );
      return found.length > 0 && found;
    });
    expect(results).toHaveLength(1);
    console.log(
      `fault: verifier killed ${windowEnd - killedAt} ms before its window ended; outcome ${doneAt - windowEnd} ms after`,
    );
  }, 60_000);
});
