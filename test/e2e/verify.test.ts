import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { AppSpec } from '../../src/do/port.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import { DEMO_IDS, type DoSimulator } from '../../src/sandbox/do-simulator.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

/** web with a PRE_DEPLOY migration and a POST_DEPLOY cache warm-up, as the teams run it. */
function webWithJobs(env: string): AppSpec {
  return {
    name: `web-${env}-jobs`,
    region: 'fra',
    services: [
      {
        name: 'web',
        github: { repo: 'acme/web', branch: env === 'staging' ? 'main' : 'production' },
        run_command: 'npm start',
        http_port: 8080,
      },
    ],
    jobs: [
      {
        name: 'migrate',
        kind: 'PRE_DEPLOY',
        github: { repo: 'acme/web', branch: 'main' },
        run_command: 'npm run migrate',
      },
      {
        name: 'warm-cache',
        kind: 'POST_DEPLOY',
        github: { repo: 'acme/web', branch: 'main' },
        run_command: 'npm run warm',
      },
    ],
  };
}

const ERRORS = [
  'ERROR payment gateway timed out after 30000ms',
  'Unhandled exception in /api/cart: TypeError: cannot read properties of undefined',
  'panic: runtime error: index out of range [3] with length 3',
  'FATAL: connection to postgres://app:hunter2@db.internal:25060/app lost',
];

const text = (m: FakeMessage) => JSON.stringify(m.blocks);

describe('post-deploy verification', async () => {
  const health = await startHealthServer();
  const ids = { staging: randomUUID(), production: randomUUID() };
  const world = await testWorld({
    config: (sim: DoSimulator) => {
      for (const env of ['staging', 'production'] as const) sim.addApp(webWithJobs(env), { id: ids[env] });
      const verify = (env: string) =>
        `verify: { health: [{ url: "${health.url}/${env}/health", status: 200 }, { url: "${health.url}/${env}/status", json: { db: ok } }], logs: { window: 2s }, jobs: true }`;
      const yaml = sandboxConfigText({ healthBaseUrl: health.url })
        .replace(
          /staging: +\{ app_id: [^,}]+[^}]*\}/,
          `staging: { app_id: ${ids.staging}, health_url: ${health.url}/staging/health, ${verify('staging')} }`,
        )
        .replace(
          `production: { app_id: ${DEMO_IDS.apps.erpProduction}, approval: true`,
          `production: { app_id: ${DEMO_IDS.apps.erpProduction}, approval: true, verify: { health: [{ url: "${health.url}/erp/health", status: 200 }] }`,
        )
        .replace(
          `production: { app_id: ${DEMO_IDS.apps.webProduction}, approval: true`,
          `production: { app_id: ${ids.production}, approval: true, auto_rollback: true, ${verify('production')}`,
        );
      return parseConfig(yaml, process.env, 'verify test dockside.yml');
    },
  });
  const { driver, slack, sim } = world;
  for (const env of ['staging', 'production']) {
    health.routes.set(`/${env}/health`, { status: 200, body: { status: 'ok' } });
    health.routes.set(`/${env}/status`, { status: 200, body: { db: 'ok', redis: 'ok' } });
  }
  // The channel line once it ended, with its thread (where the checklist and details are).
  const finished = async (from: number, title: string) =>
    withThread(
      slack,
      await waitFor(
        `${title} to finish`,
        () =>
          slack.messages
            .slice(from)
            .find((m) => m.text === `${title}: done` || m.text === `${title}: failed`),
        15_000,
      ),
    );
  const activeAt = async (from: number, title: string) => {
    const m = await waitFor(
      `${title} to go ACTIVE`,
      () => slack.messages.slice(from).find((x) => x.text === `${title}: ACTIVE`),
      8000,
    );
    return { message: m, at: Date.now() };
  };

  it('passes a clean deployment after its window, with a ✅ per item', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const { at } = await activeAt(from, 'Deploying web staging');
    const message = await finished(from, 'Deploying web staging');
    expect(Date.now() - at).toBeGreaterThanOrEqual(1500);
    expect(message.text).toBe('Deploying web staging: done');
    const body = text(message);
    expect(body).toContain(':white_check_mark: Deployment ACTIVE: live after');
    expect(body).toContain(`:white_check_mark: Health ${health.url}/staging/health: HTTP 200 in`);
    expect(body).toContain(`:white_check_mark: Health ${health.url}/staging/status: HTTP 200 in`);
    expect(body).toContain(':white_check_mark: PRE_DEPLOY job migrate: succeeded');
    expect(body).toContain(':white_check_mark: POST_DEPLOY job warm-cache: succeeded');
    expect(body).toMatch(
      /:white_check_mark: Runtime errors vs the previous deployment: 0 error lines in 2 s \(0\/min\), previous deployment 0\/min/,
    );
    expect(body).not.toContain(':x:');
    expect(buttonsOf(message).some((b) => b.text.startsWith('Roll back'))).toBe(false);
  }, 30_000);

  it('catches error lines after ACTIVE: ❌ in the checklist and a Roll back button that works', async () => {
    const previous = sim.app(ids.staging).active_deployment?.id ?? '';
    sim.runLinesAfterActive(ids.staging, ERRORS, { delayMs: 300 });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from, 'Deploying web staging');
    expect(message.text).toBe('Deploying web staging: failed');
    const body = text(message);
    expect(body).toContain(':warning: Live after');
    expect(body).toContain('but a check failed: Runtime errors vs the previous deployment.');
    expect(body).toMatch(
      /:x: Runtime errors vs the previous deployment: 4 error lines in 2 s \(120\/min\), previous deployment 0\/min; more than 3/,
    );
    expect(body).toContain('panic: runtime error');
    // Log samples pass through the redaction of /logs.
    expect(body).not.toContain('hunter2');
    expect(body).toContain(':white_check_mark: PRE_DEPLOY job migrate: succeeded');
    const rollback = buttonsOf(message).find((b) => b.text.startsWith('Roll back to'));
    expect(rollback?.text).toMatch(
      new RegExp(`^Roll back to ${previous.slice(0, 8)} \\(commit [0-9a-f]{7}, .+ ago\\)$`),
    );
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' })).toHaveLength(0);
    // Staging needs no approval: the click rolls back.
    await click(driver, alice, message, 'Roll back to');
    const rollbacks = await waitFor('the rollback', () => {
      const found = sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' });
      return found.length > 0 && found;
    });
    expect(rollbacks[0]).toMatchObject({ path: `/v2/apps/${ids.staging}/rollback`, status: 200 });
    expect(rollbacks[0]?.body).toMatchObject({ deployment_id: previous });
  }, 30_000);

  it('a failed POST_DEPLOY job is a ❌ item, with the command that shows its log', async () => {
    // The rollback above pinned the app; commit it so deploys run again.
    await waitFor('the rollback to go live', () => sim.app(ids.staging).pinned_deployment, 8000);
    await waitFor(
      'the rollback to finish',
      () => slack.messages.find((m) => m.text === 'Rolling back web staging: done'),
      8000,
    );
    const commit = slack.messages.find((m) => m.text === 'Rolling back web staging: done');
    if (commit) await click(driver, alice, commit, 'Commit rollback');
    await waitFor('the app to be unpinned', () => !sim.app(ids.staging).pinned_deployment, 8000);
    await driver.command(alice, dev, '/unlock', 'web staging');
    sim.failNextJob(ids.staging, 'warm-cache');
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from, 'Deploying web staging');
    expect(message.text).toBe('Deploying web staging: failed');
    expect(text(message)).toContain(
      ':x: POST_DEPLOY job warm-cache: failed (`/logs web staging job --component warm-cache --deployment',
    );
  }, 40_000);

  it('rolls a production /deploy (not a promotion) back by itself when its window catches errors (auto_rollback)', async () => {
    const previous = sim.app(ids.production).active_deployment?.id ?? '';
    sim.runLinesAfterActive(ids.production, ERRORS, { delayMs: 300 });
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    const from = slack.messages.length;
    await click(driver, bob, approval, 'Approve');
    const message = await finished(from, 'Deploying web production');
    expect(message.text).toBe('Deploying web production: failed');
    expect(text(message)).toMatch(/:x: Runtime errors vs the previous deployment: 4 error lines/);
    expect(text(message)).toContain(`auto_rollback is on: rolling back to \`${previous.slice(0, 8)}\``);
    const rollbacks = sim
      .requests({ method: 'POST', route: '/v2/apps/:id/rollback' })
      .filter((r) => r.path === `/v2/apps/${ids.production}/rollback`);
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]?.body).toMatchObject({ deployment_id: previous });
    // The approval is finished only after verification, with its outcome.
    await waitFor(
      'the approval to fail',
      () => approval.text === 'Approval failed: Deploy web production',
      8000,
    );
  }, 40_000);

  it('offers a production /deploy that fails a check a Roll back button, which asks for approval', async () => {
    health.routes.set('/erp/health', { status: 503, body: { status: 'down' } });
    const erp = DEMO_IDS.apps.erpProduction;
    const previous = sim.app(erp).active_deployment?.id ?? '';
    let before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/deploy', 'erp production');
    const approval = await newApproval(slack, before);
    const from = slack.messages.length;
    await click(driver, bob, approval, 'Approve');
    const message = await finished(from, 'Deploying erp production');
    expect(message.text).toBe('Deploying erp production: failed');
    expect(text(message)).toContain(`:x: Health ${health.url}/erp/health: HTTP 503 (expected 200)`);
    expect(text(message)).toContain('The health check failed. Roll back to the deployment that ran before');
    const rollback = buttonsOf(message).find((b) => b.text.startsWith('Roll back to'));
    expect(rollback?.value).toBe(`erp production ${previous}`);
    // Nothing rolls back by itself; the click asks for an approval first.
    const rollbacksBefore = sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' }).length;
    before = approvalMessages(slack).length;
    await click(driver, alice, message, 'Roll back to');
    const card = await newApproval(slack, before);
    expect(card.text).toBe('Approval needed: Roll back erp production');
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' })).toHaveLength(rollbacksBefore);
  }, 40_000);

  it('stops at a failing JSON field: no window to wait for, the rest is not judged', async () => {
    health.routes.set('/staging/status', { status: 200, body: { db: 'down', redis: 'ok' } });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from, 'Deploying web staging');
    health.routes.set('/staging/status', { status: 200, body: { db: 'ok', redis: 'ok' } });
    expect(message.text).toBe('Deploying web staging: failed');
    const body = text(message);
    expect(body).toContain(`:x: Health ${health.url}/staging/status: db is \\"down\\" (expected \\"ok\\")`);
    expect(body).toContain(
      'Verification stopped early: a health check failed, so the log window was not waited for.',
    );
    expect(body).not.toContain('Runtime errors vs the previous deployment:');
    expect(body).not.toContain('Verifying: runtime errors');
    expect(buttonsOf(message).some((b) => b.text.startsWith('Roll back to'))).toBe(true);
  }, 30_000);

  it('passes a deployment that logs no more errors than the one before it did', async () => {
    // The deployment serving now logged 10 error lines in its last seconds.
    const previous = sim.app(ids.staging).active_deployment?.id ?? '';
    sim.addLogLines(
      ids.staging,
      { type: 'RUN', deploymentId: previous, component: 'web' },
      Array.from({ length: 10 }, () => 'ERROR upstream timeout (retrying)'),
      Date.now(),
    );
    sim.runLinesAfterActive(ids.staging, ERRORS, { delayMs: 300 });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await finished(from, 'Deploying web staging');
    expect(message.text).toBe('Deploying web staging: done');
    expect(text(message)).toMatch(
      /:white_check_mark: Runtime errors vs the previous deployment: 4 error lines in 2 s \(120\/min\), previous deployment 300\/min/,
    );
  }, 30_000);
});
