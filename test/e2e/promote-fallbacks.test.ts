import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS, DEMO_WORKER_DIGEST, type DoSimulator } from '../../src/sandbox/do-simulator.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import type { World } from '../../src/sandbox/world.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

/**
 * /promote where the real services behave less kindly than usual: DigitalOcean answers
 * the spec update before the deployment it causes exists (while someone else's
 * deployment runs), and GitHub refuses to move a protected branch.
 */
const { alice, bob } = SANDBOX_USERS;
const PROD = DEMO_IDS.apps.webProduction;

const allText = (m: { text: string; blocks: unknown[] }) =>
  `${m.text}\n${JSON.stringify(m.blocks)}`.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

async function askAndApprove(world: World): Promise<FakeMessage> {
  const before = approvalMessages(world.slack).length;
  await world.driver.command(alice, SANDBOX_CHANNELS.dev, '/promote', 'web');
  const approval = await newApproval(world.slack, before);
  await click(world.driver, bob, approval, 'Approve');
  return approval;
}

const productionWrites = (sim: DoSimulator) =>
  sim.requests().filter((r) => r.path.includes(PROD) && (r.method === 'PUT' || r.method === 'POST'));

describe('/promote when DigitalOcean answers the spec update before its deployment exists', async () => {
  const world = await testWorld();
  const { sim, slack } = world;

  it("follows the update's own deployment, not the one that started in between", async () => {
    sim.answerSpecUpdateEarly(PROD, { delayMs: 150, interleave: true });
    const approval = await askAndApprove(world);
    await waitFor('the approval to end', () => /^Approval (succeeded|failed)/.test(approval.text), 15_000);
    const progress = slack.messages.find((m) => m.text.startsWith('Promoting to web production'));
    expect(approval.text).toBe('Approval succeeded: Promote web production');
    expect(progress?.text).toBe('Promoting to web production: done');
    expect(allText(await withThread(slack, progress as FakeMessage))).toContain(
      'Verified: production runs exactly the promoted builds.',
    );
    // Two deployments ran: the interleaved one (old spec) and the update's, which is live now.
    const active = sim.app(PROD).active_deployment;
    expect(active?.cause).toBe('app spec updated');
    expect(active?.spec.workers?.[0]?.image?.digest).toBe(DEMO_WORKER_DIGEST);
    const result = (await world.bot.audit.list({ app: 'web', limit: 50 })).find(
      (e) => e.action === 'promote.result' && e.result === 'succeeded',
    );
    expect(result?.doIds?.deploymentId).toBe(active?.id);
  });
});

describe('/promote when production is a protected branch', async () => {
  const world = await testWorld();
  const { sim, slack } = world;

  it('tells the approver the branch is protected and what to do, and deploys nothing', async () => {
    sim.protectBranch('acme/web', 'production');
    const production = sim.branchHead('acme/web', 'production');
    const approval = await askAndApprove(world);
    await waitFor(
      'the approval to fail',
      () => approval.text === 'Approval failed: Promote web production',
      8000,
    );
    const said = [approval, ...slack.ephemerals.filter((e) => e.user === bob)].map(allText).join('\n');
    expect(said).toContain('the branch is protected');
    expect(said).toContain("Let dockside's token bypass the branch protection");
    expect(said).toContain('Nothing was deployed.');
    expect(sim.branchHead('acme/web', 'production')).toBe(production);
    expect(productionWrites(sim)).toEqual([]);
  });
});
