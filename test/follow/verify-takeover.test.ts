import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWatcherStore } from '../../handlers/deploy/watchers.js';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import type { DoSimulator } from '../../src/sandbox/do-simulator.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const WINDOW_MS = 4000;

// Issue 11: the verification window must survive a replica restart: the replica that
// resumes it keeps its start, does not re-run what is done, and announces once.
describe('a replica stopped during the verification window', async () => {
  const health = await startHealthServer();
  const appId = randomUUID();
  const world = await testWorld({
    config: (sim: DoSimulator) => {
      sim.addApp(
        {
          name: 'web-staging-verify',
          services: [{ name: 'web', github: { repo: 'acme/web', branch: 'main' }, http_port: 8080 }],
          jobs: [{ name: 'migrate', kind: 'PRE_DEPLOY', github: { repo: 'acme/web', branch: 'main' } }],
        },
        { id: appId },
      );
      const yaml = sandboxConfigText().replace(
        /staging: +\{ app_id: [^}]*\}/,
        `staging: { app_id: ${appId}, verify: { health: [{ url: "${health.url}/health", status: 200 }], logs: { window: ${WINDOW_MS / 1000}s } } }`,
      );
      return parseConfig(yaml, process.env, 'takeover test dockside.yml');
    },
  });

  it('is resumed by another replica: same window, health checked once, one outcome', async () => {
    const watchers = createWatcherStore(world.bot.redis);
    const first = await world.spawnBot({ replicaId: 'first' });
    const from = world.slack.messages.length;
    await first.driver.command(alice, dev, '/deploy', 'web staging');
    // Verification began: its state (start, health done) is in the watch record.
    const begun = await waitFor(
      'verification to begin',
      async () => (await watchers.list()).find((r) => r.verify?.steps.includes('health')),
      10_000,
    );
    const startedAt = begun.verify?.startedAt ?? '';
    expect(health.hits.get('/health')).toBe(1);
    await first.bot.stop();
    const stoppedAt = Date.now();
    const message = await waitFor(
      'the outcome',
      () => world.slack.messages.slice(from).find((m) => / (done|failed)$/.test(m.text)),
      20_000,
    );
    const doneAt = Date.now();
    expect(message.text).toBe('Deploying web staging: done');
    // The window kept its start: it ended WINDOW_MS after it began, not after the takeover.
    const windowEnd = Date.parse(startedAt) + WINDOW_MS;
    expect(stoppedAt).toBeLessThan(windowEnd);
    expect(doneAt).toBeGreaterThanOrEqual(windowEnd);
    expect(doneAt - Math.max(windowEnd, stoppedAt)).toBeLessThan(WINDOW_MS);
    // The checklist is in the line's thread.
    const body = JSON.stringify((await withThread(world.slack, message)).blocks);
    expect(body.match(/:white_check_mark: Health /g)).toHaveLength(1);
    expect(body).toContain(
      ':white_check_mark: Runtime errors vs the previous deployment: 0 error lines in 4 s',
    );
    expect(body).toContain(':white_check_mark: PRE_DEPLOY job migrate: succeeded');
    // Health was not checked again by the replica that took over; one message, one audited outcome.
    expect(health.hits.get('/health')).toBe(1);
    expect(
      world.slack.messages
        .slice(from)
        .filter((m) => !m.thread_ts && m.text.startsWith('Deploying web staging')),
    ).toHaveLength(1);
    // Its thread tells nothing twice across the two replicas (the verification note included).
    const told = world.slack.replies(message).map((r) => r.text);
    expect(new Set(told).size).toBe(told.length);
    const results = await waitFor('the audited outcome', async () => {
      const all = await world.bot.audit.list({ app: 'web', limit: 20 });
      const found = all.filter((e) => e.action === 'deploy.result');
      return found.length > 0 && found;
    });
    expect(results).toHaveLength(1);
    await waitFor('the record to go', async () => (await watchers.list()).length === 0);
  }, 45_000);
});
