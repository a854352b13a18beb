import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const PROD = DEMO_IDS.apps.webProduction;

describe('a restart of the bot', async () => {
  const world = await testWorld({ phaseDelayMs: 150 });
  const { slack, sim } = world;

  it('keeps a pending approval: a new bot process runs it when approved', async () => {
    const before = approvalMessages(slack).length;
    await world.driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    await world.bot.stop();
    const { driver } = await world.spawnBot();
    await click(driver, bob, approval, 'Approve');
    await waitFor(
      'approval succeeded',
      () => approval.text === 'Approval succeeded: Deploy web production',
      10_000,
    );
    expect(
      sim
        .requests({ method: 'POST', route: '/v2/apps/:id/deployments' })
        .filter((r) => r.path.includes(PROD)),
    ).toHaveLength(1);
  });

  it('resumes following a running deployment in the next process', async () => {
    const first = await world.spawnBot();
    const from = slack.messages.length;
    await first.driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor('progress message', () =>
      slack.messages.slice(from).find((m) => m.text.startsWith('Deploying web staging')),
    );
    await first.bot.stop(); // mid-deployment: phases take 150 ms each
    expect(message.text).not.toMatch(/done$/);
    await world.spawnBot();
    await waitFor(
      'the new process to finish the message',
      () => message.text === 'Deploying web staging: done',
      10_000,
    );
  });
});

describe('an approval nobody answers', async () => {
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const world = await testWorld({ bot: { clock, expirySweepMs: 50 } });

  it('expires after ttl_minutes and its message says so, without any click', async () => {
    const before = approvalMessages(world.slack).length;
    await world.driver.command(alice, dev, '/deploy', 'web production');
    const approval = await newApproval(world.slack, before);
    offset = 29 * 60_000;
    // The sweep every replica runs, run here and awaited: at 29 minutes nothing expires.
    await world.bot.approvals.expireDue();
    expect(approval.text).toBe('Approval needed: Deploy web production');
    expect((await world.bot.audit.list({ app: 'web', limit: 5 })).map((e) => e.action)).not.toContain(
      'approval.expire',
    );
    offset = 31 * 60_000;
    await waitFor('expired', () => approval.text === 'Approval expired: Deploy web production');
    expect(JSON.stringify(approval.blocks)).toContain('Expired without enough approvals; nothing was done.');
    expect(JSON.stringify(approval.blocks)).not.toContain('approval.approve');
    const [entry] = await world.bot.audit.list({ app: 'web', limit: 1 });
    expect(entry).toMatchObject({ action: 'approval.expire', result: 'expired', actor: 'dockside' });
    const from = world.slack.ephemerals.length;
    await world.driver.click(bob, approval, {
      actionId: 'approval.approve',
      value: entry?.data?.approvalId as string,
      text: 'Approve',
    });
    const answer = await waitFor('answer', () =>
      world.slack.ephemerals.slice(from).find((e) => e.user === bob),
    );
    expect(answer.text).toBe('This request has expired; your click changed nothing.');
    expect(world.sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' })).toHaveLength(0);
  });
});
