import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfig } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const STAGING = DEMO_IDS.apps.webStaging;

function blockText(message: { blocks: unknown[] }): string {
  return JSON.stringify(message.blocks);
}

describe('/deploy to staging', async () => {
  const health = await startHealthServer();
  // Phases long enough that a second /deploy lands while the first still runs, even on a busy machine.
  const world = await testWorld({
    config: () => sandboxConfig({ healthBaseUrl: health.url }),
    phaseDelayMs: 250,
  });
  const { driver, slack, sim } = world;
  // The channel line once it ended, with its thread (where the details are).
  const finished = async (from: number) =>
    withThread(
      slack,
      await waitFor(
        'the deployment message to finish',
        () => slack.messages.slice(from).find((m) => / (done|failed)$/.test(m.text)),
        8000,
      ),
    );

  it('follows the deployment to ACTIVE, then checks the health URL', async () => {
    health.routes.set('/web-staging', { status: 200, body: { status: 'ok', database: 'connected' } });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging --force-build');
    const message = await finished(from);
    expect(message.text).toBe('Deploying web staging: done');
    expect(message.channel).toBe(dev);
    expect(message.updates).toBeGreaterThan(0);
    // In the channel: one line, edited to the outcome; the details are in its thread.
    const line = slack.messages.find((m) => m.ts === message.ts);
    expect(line?.blocks).toHaveLength(1);
    expect(blockText(line ?? message)).toMatch(
      /:white_check_mark: \*Deployed web staging\*: live, healthy, /,
    );
    expect(slack.messages.slice(from).filter((m) => !m.thread_ts)).toEqual([line]);
    // Each phase once, in order (a phase shorter than a poll on a busy machine may go untold).
    const thread = slack.replies(message).map((r) => r.text.replace(/^Deploying web staging: /, ''));
    expect(thread[0]).toBe('started');
    expect(thread.at(-1)).toBe('done, the details');
    const phases = ['PENDING_BUILD', 'BUILDING', 'PENDING_DEPLOY', 'DEPLOYING'];
    expect(thread.slice(1, -1)).toEqual(phases.filter((p) => thread.includes(p)));
    expect(thread.length).toBeGreaterThan(2);
    expect(blockText(message)).toContain(`https://cloud.digitalocean.com/apps/${STAGING}/deployments/`);
    expect(blockText(message)).toMatch(/Health: 200/);
    const posts = sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' });
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ force_build: true });
    // The outcome is audited right after the message's last update: awaited, not raced.
    const result = await waitFor('the audited outcome', async () =>
      (await world.bot.audit.list({ app: 'web', limit: 5 })).find((e) => e.action === 'deploy.result'),
    );
    expect(result).toMatchObject({ action: 'deploy.result', result: 'succeeded', actor: 'dockside' });
  });

  it('reports a failing health check after an ACTIVE deployment', async () => {
    health.routes.set('/web-staging', { status: 503, body: { status: 'error', database: 'disconnected' } });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from);
    expect(message.text).toBe('Deploying web staging: failed');
    expect(blockText(message)).toMatch(/Health: 503/);
    health.routes.set('/web-staging', { status: 200, body: { status: 'ok' } });
  });

  it('shows the cause when the deployment ends in ERROR', async () => {
    sim.failNextDeployment(STAGING, {
      phase: 'BUILDING',
      reason: { code: 'BuildJobExitNonZero', message: 'npm run build exited with code 1' },
    });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from);
    expect(message.text).toBe('Deploying web staging: failed');
    expect(blockText(message)).toContain('npm run build exited with code 1');
    expect(blockText(message)).toContain('The previous deployment keeps serving.');
  });

  it('says so when the deployment is canceled', async () => {
    sim.cancelNextDeployment(STAGING, 'BUILDING');
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from);
    expect(message.text).toBe('Deploying web staging: failed');
    expect(blockText(message)).toContain('*Deploying web staging*: canceled, ');
    expect(blockText(message)).toContain('Canceled after');
  });

  it('reports a deployment already in progress instead of starting a second', async () => {
    const before = sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' }).length;
    const from = slack.messages.length;
    const fromEph = slack.ephemerals.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    await waitFor('first deployment posted', () => slack.messages.length > from);
    await driver.command(alice, dev, '/deploy', 'web staging');
    const answer = await waitFor('refusal', () =>
      slack.ephemerals.slice(fromEph).find((e) => e.text.includes('already in progress')),
    );
    expect(answer.text).toMatch(
      /^A deployment of web staging is already in progress \([0-9a-f]{8}, [A-Z_]+\)\. Wait for it/,
    );
    await finished(from);
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' })).toHaveLength(before + 1);
  });

  it('refuses to deploy a locked env, naming who locked it and why', async () => {
    const fromEph = slack.ephemerals.length;
    await driver.command(alice, dev, '/lock', 'web staging --for 2h release freeze');
    await waitFor('lock posted', () => slack.messages.some((m) => m.text.includes('locked web staging')));
    const before = sim.requests({ method: 'POST' }).length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const answer = await waitFor('refusal', () =>
      slack.ephemerals.slice(fromEph).find((e) => e.text.includes('locked')),
    );
    expect(answer.text).toMatch(
      /^web staging is locked by <@U0ALICE> since .*: release freeze\. Nothing was deployed\./,
    );
    expect(answer.text).toContain('`/unlock web staging`');
    expect(sim.requests({ method: 'POST' })).toHaveLength(before);
    await driver.command(alice, dev, '/unlock', 'web staging');
    await waitFor('unlocked', () => slack.messages.some((m) => m.text.includes('unlocked web staging')));
  });

  it('counts DigitalOcean API calls by status in /metrics', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${world.bot.port}/metrics`)).text();
    expect(metrics).toMatch(
      /dockside_do_api_calls_total\{method="POST",route="\/v2\/apps\/:id\/deployments",status="200"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /dockside_do_api_calls_total\{method="GET",route="\/v2\/apps\/:id",status="200"\} [1-9]/,
    );
  });

  it('never writes a secret to its logs', () => {
    const text = world.logs.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const secret of Object.values(world.secrets)) expect(text).not.toContain(secret);
  });
});
