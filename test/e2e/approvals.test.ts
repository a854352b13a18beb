import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice, bob, carol } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const PROD = DEMO_IDS.apps.webProduction;

describe('production deploys wait for approval', async () => {
  const world = await testWorld();
  const { driver, slack, sim } = world;
  const prodDeploys = () =>
    sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' }).filter((r) => r.path.includes(PROD));
  const ephemeralFor = (user: string, from: number) =>
    waitFor(`an answer for ${user}`, () => slack.ephemerals.slice(from).find((e) => e.user === user));

  it('runs once when another approver approves, and the message ends as succeeded', async () => {
    const before = approvalMessages(slack).length;
    const deploysBefore = prodDeploys().length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    expect(approval.text).toBe('Approval needed: Deploy web production');
    expect(JSON.stringify(approval.blocks)).toContain('Requested by <@U0ALICE>');
    expect(prodDeploys()).toHaveLength(deploysBefore);
    const note = await waitFor("the note in the requester's channel", () =>
      slack.messages.find((m) => m.channel === dev && m.text.startsWith('Deploy web production')),
    );
    expect(note.text).toBe('Deploy web production: approval pending');

    await click(driver, bob, approval, 'Approve');
    await click(driver, bob, approval, 'Approve'); // a second click changes nothing
    await waitFor(
      'the approval to succeed',
      () => approval.text === 'Approval succeeded: Deploy web production',
      8000,
    );
    expect(prodDeploys()).toHaveLength(deploysBefore + 1);
    await waitFor(
      "the requester's note to follow",
      () => note.text === 'Deploy web production: approval succeeded',
      8000,
    );
    expect(JSON.stringify(note.blocks)).not.toContain('needs approval');
    const progress = slack.messages.find((m) => m.text.startsWith('Deploying web production'));
    expect(progress?.channel).toBe(dev);
    // Its thread names who asked and who approved, as a Droplet rollout's does.
    const started = progress ? slack.replies(progress).find((r) => r.text.endsWith(': started')) : undefined;
    expect(JSON.stringify(started?.blocks)).toContain('Requested by <@U0ALICE>');
    expect(JSON.stringify(started?.blocks)).toContain('Approved by <@U0BOB>.');
    const entries = await world.bot.audit.list({ app: 'web', limit: 50 });
    const actions = entries.map((e) => `${e.action}:${e.result}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'approval.request.deploy:requested',
        'approval.approve:approved',
        'approval.run.deploy:started',
        'approval.outcome.deploy:succeeded',
      ]),
    );
  });

  it('refuses self-approval and approval by a non-approver, changing nothing', async () => {
    const before = approvalMessages(slack).length;
    const deploysBefore = prodDeploys().length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    let from = slack.ephemerals.length;
    await click(driver, alice, approval, 'Approve');
    expect((await ephemeralFor(alice, from)).text).toBe(
      'You asked for this deploy, so someone else must approve it.',
    );
    from = slack.ephemerals.length;
    await click(driver, carol, approval, 'Approve');
    expect((await ephemeralFor(carol, from)).text).toMatch(
      /^Only members of the "approver" role can approve/,
    );
    expect(approval.text).toBe('Approval needed: Deploy web production');
    expect(prodDeploys()).toHaveLength(deploysBefore);
    await click(driver, alice, approval, 'Cancel');
    await waitFor('cancelled', () => approval.text === 'Approval cancelled: Deploy web production');
  });

  it('lets only the requester cancel', async () => {
    const before = approvalMessages(slack).length;
    const deploysBefore = prodDeploys().length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    const from = slack.ephemerals.length;
    await click(driver, bob, approval, 'Cancel');
    expect((await ephemeralFor(bob, from)).text).toBe(
      'Only <@U0ALICE>, who asked for it, can cancel this request.',
    );
    await click(driver, alice, approval, 'Cancel');
    await waitFor('cancelled', () => approval.text === 'Approval cancelled: Deploy web production');
    expect(JSON.stringify(approval.blocks)).toContain('Cancelled by <@U0ALICE>');
    expect(JSON.stringify(approval.blocks)).not.toContain('approval.approve');
    // A late click on the cancelled request (e.g. a stale client) must not run it.
    const late = slack.ephemerals.length;
    await driver.click(bob, approval, {
      actionId: 'approval.approve',
      value: approvalId(approval),
      text: 'Approve',
    });
    expect((await ephemeralFor(bob, late)).text).toBe(
      'This request was cancelled; your click changed nothing.',
    );
    expect(prodDeploys()).toHaveLength(deploysBefore);
  });

  it('asks a rejecter for a reason and shows it', async () => {
    const before = approvalMessages(slack).length;
    const deploysBefore = prodDeploys().length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    const views = slack.views.length;
    await click(driver, bob, approval, 'Reject');
    const view = await waitFor('the reason dialog', () => slack.views[views]);
    expect(view.callback_id).toBe('approval.reject_reason');
    const short = await driver.submitView(bob, view, {
      reason: { reason: { type: 'plain_text_input', value: 'no' } },
    });
    expect(JSON.parse(short.text)).toMatchObject({ response_action: 'errors' });
    await driver.submitView(bob, view, {
      reason: { reason: { type: 'plain_text_input', value: 'release freeze until Monday' } },
    });
    await waitFor('rejected', () => approval.text === 'Approval rejected: Deploy web production');
    expect(JSON.stringify(approval.blocks)).toContain('Rejected by <@U0BOB>: release freeze until Monday');
    expect(prodDeploys()).toHaveLength(deploysBefore);
    const [entry] = await world.bot.audit.list({ user: bob, limit: 1 });
    expect(entry).toMatchObject({
      action: 'approval.reject',
      result: 'rejected',
      detail: 'release freeze until Monday',
    });
  });

  it('voids an approval when production moved on since the request', async () => {
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    // Someone deploys production by other means (the DO console) while the request waits.
    await fetch(`${sim.url}/apps/${PROD}/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await waitFor('production ACTIVE again', () => !sim.app(PROD).in_progress_deployment, 5000);
    const posts = prodDeploys().length;
    await click(driver, bob, approval, 'Approve');
    await waitFor('failed', () => approval.text === 'Approval failed: Deploy web production', 5000);
    expect(JSON.stringify(approval.blocks)).toMatch(
      /changed since this was requested .* this approval is void/,
    );
    expect(prodDeploys()).toHaveLength(posts);
  });
});

function approvalId(message: { blocks: unknown[] }): string {
  const match = /request ([A-Za-z0-9_-]{12})/.exec(JSON.stringify(message.blocks));
  return match?.[1] ?? '';
}
