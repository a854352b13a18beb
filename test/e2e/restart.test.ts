import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfig } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, bob, dave } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const STAGING = DEMO_IDS.apps.webStaging;
const PROD = DEMO_IDS.apps.webProduction;

describe('/restart through signed requests', async () => {
  const health = await startHealthServer();
  const world = await testWorld({ config: () => sandboxConfig({ healthBaseUrl: health.url }) });
  const { driver, slack, sim } = world;
  const restarts = (appId: string) =>
    sim.requests({ method: 'POST', route: '/v2/apps/:id/restart' }).filter((r) => r.path.includes(appId));
  // The channel line once it ended, with its thread (where the details are).
  const finished = async (from: number, target: string) =>
    withThread(
      slack,
      await waitFor(
        `the restart of ${target} to finish`,
        () =>
          slack.messages
            .slice(from)
            .find(
              (m) => m.text === `Restarting ${target}: done` || m.text === `Restarting ${target}: failed`,
            ),
        8000,
      ),
    );

  it('restarts every service and worker of staging at once and follows it like a deploy', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/restart', 'web staging');
    const message = await finished(from, 'web staging');
    expect(message.text).toBe('Restarting web staging: done');
    expect(message.channel).toBe(dev);
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain('Rolling restart of every service and worker');
    expect(blocks).toMatch(/Health: 200/);
    expect(restarts(STAGING).map((r) => r.body)).toEqual([{}]);
    // The command's own outcome and the follower's result are written independently: look for the result.
    const result = await waitFor('the audited result', async () =>
      (await world.bot.audit.list({ app: 'web', limit: 5 })).find((e) => e.action === 'restart.result'),
    );
    expect(result).toMatchObject({ action: 'restart.result', result: 'succeeded', env: 'staging' });
  });

  it('restarts one component when named', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/restart', 'web staging worker');
    await finished(from, 'web staging');
    expect(restarts(STAGING).at(-1)?.body).toEqual({ components: ['worker'] });
  });

  it('reports a restart that ends in ERROR', async () => {
    sim.failNextDeployment(STAGING, { phase: 'DEPLOYING' });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/restart', 'web staging');
    const message = await finished(from, 'web staging');
    expect(message.text).toBe('Restarting web staging: failed');
    expect(JSON.stringify(message.blocks)).toContain('failed its health check');
  });

  it('waits for approval in production, then restarts exactly once', async () => {
    const before = approvalMessages(slack).length;
    const from = slack.messages.length;
    await driver.command(alice, dev, '/restart', 'web production web');
    const approval = await newApproval(slack, before);
    expect(approval.text).toBe('Approval needed: Restart web production');
    const active = sim.app(PROD).active_deployment?.id ?? '';
    expect(JSON.stringify(approval.blocks)).toContain('Rolling restart of `web`');
    expect(JSON.stringify(approval.blocks)).toContain(`production runs deployment ${active} now`);
    expect(restarts(PROD)).toHaveLength(0);

    await click(driver, alice, approval, 'Approve'); // not by the requester
    await click(driver, bob, approval, 'Approve');
    await click(driver, bob, approval, 'Approve');
    const message = await finished(from, 'web production');
    expect(message.text).toBe('Restarting web production: done');
    expect(restarts(PROD).map((r) => r.body)).toEqual([{ components: ['web'] }]);
    await waitFor(
      'the approval to succeed',
      () => approval.text === 'Approval succeeded: Restart web production',
    );
    const actions = (await world.bot.audit.list({ app: 'web', limit: 50 })).map(
      (e) => `${e.action}:${e.result}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'approval.request.restart:requested',
        'approval.approve:approved',
        'approval.run.restart:started',
        'approval.outcome.restart:succeeded',
      ]),
    );
  });

  it('voids a production restart whose env moved on before approval', async () => {
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/restart', 'web production');
    const approval = await newApproval(slack, before);
    const from = slack.messages.length;
    await driver.command(alice, dev, '/restart', 'web staging'); // unrelated, staging
    await finished(from, 'web staging');
    // Production moves on: someone deploys it from the console.
    const dep = await world.bot.do.createDeployment(PROD);
    await waitFor(
      'the console deployment to finish',
      () => sim.app(PROD).active_deployment?.id === dep.id,
      8000,
    );
    const posts = restarts(PROD).length;
    await click(driver, bob, approval, 'Approve');
    await waitFor(
      'the approval to fail',
      () => approval.text === 'Approval failed: Restart web production',
      8000,
    );
    expect(JSON.stringify(approval.blocks)).toMatch(
      /active deployment id of web production changed since this was requested/,
    );
    expect(restarts(PROD)).toHaveLength(posts);
  });

  it('refuses what it should without asking DigitalOcean to restart', async () => {
    const posts = sim.requests({ method: 'POST' }).length;
    const ask = async (user: string, text: string) =>
      (await answerTo(world, await driver.command(user, dev, '/restart', text))).text;
    expect(await ask(alice, 'web staging api')).toBe(
      'web staging has no service or worker `api` to restart. Services and workers: `web`, `worker`.',
    );
    expect(await ask(alice, 'web staging Web!')).toMatch(/^`Web!` is not a component name/);
    expect(await ask(dave, 'web staging')).toMatch(/^You may not restart web staging\./);
    await driver.command(alice, dev, '/lock', 'web staging incident');
    await waitFor('locked', () => slack.messages.some((m) => m.text.includes('locked web staging')));
    expect(await ask(alice, 'web staging')).toMatch(
      /^web staging is locked by <@U0ALICE> since .*: incident\./,
    );
    await driver.command(alice, dev, '/unlock', 'web staging');
    await driver.command(alice, dev, '/lock', 'web production release freeze');
    await waitFor('locked', () => slack.messages.some((m) => m.text.includes('locked web production')));
    const cards = approvalMessages(slack).length;
    expect(await ask(alice, 'web production')).toMatch(
      /^web production is locked by <@U0ALICE> since .*: release freeze\./,
    );
    expect(approvalMessages(slack)).toHaveLength(cards);
    await driver.command(alice, dev, '/unlock', 'web production');
    expect(sim.requests({ method: 'POST' })).toHaveLength(posts);
  });
});
