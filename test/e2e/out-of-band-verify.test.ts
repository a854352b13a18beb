import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, sandboxConfigText } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { ops } = SANDBOX_CHANNELS;

/** A push that App Platform deploys by itself gets the checklist a /deploy gets. */
describe('verification of a deployment dockside did not start', async () => {
  const health = await startHealthServer();
  health.routes.set('/staging/health', { status: 200, body: { status: 'ok' } });
  const world = await testWorld({
    config: () =>
      parseConfig(
        sandboxConfigText({ healthBaseUrl: health.url }).replace(
          /(staging: +\{ app_id: 6f0e[^}]*)\}/,
          `$1, announce: all, verify: { health: [{ url: "${health.url}/staging/health", status: 200 }], logs: { window: 2s } } }`,
        ),
        process.env,
        'out-of-band verify test dockside.yml',
      ),
    bot: { outOfBand: { tickMs: 100, pollMs: 25 } },
  });
  const { slack, sim } = world;

  it('catches error lines after ACTIVE in a pushed deployment and offers Roll back', async () => {
    await waitFor('the first look', () => sim.requests({ method: 'GET', route: '/v2/apps' }).length > 1);
    const app = DEMO_IDS.apps.webStaging;
    const previous = sim.app(app).active_deployment?.id ?? '';
    sim.runLinesAfterActive(app, ['ERROR a', 'ERROR b', 'panic: c', 'FATAL: d', 'ERROR e'], { delayMs: 200 });
    sim.startOutOfBand(app, { via: 'push', author: 'Jane Doe', message: 'Noisy change' });
    const line = await waitFor(
      'the announcement to end',
      () =>
        slack.messages.find(
          (m) =>
            m.channel === ops &&
            !m.thread_ts &&
            m.text.startsWith('Deployment outside dockside of web staging') &&
            /: (done|failed)$/.test(m.text),
        ),
      20_000,
    );
    expect(line.text).toMatch(/: failed$/);
    const body = JSON.stringify((await withThread(slack, line)).blocks);
    expect(body).toContain(`:white_check_mark: Health ${health.url}/staging/health: HTTP 200`);
    expect(body).toMatch(/:x: Runtime errors vs the previous deployment: 5 error lines in 2 s/);
    const rollback = buttonsOf(line).find((b) => b.text.startsWith('Roll back to'));
    expect(rollback?.text).toContain(previous.slice(0, 8));
  }, 40_000);
});
