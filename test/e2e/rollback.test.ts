import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { withThread } from '../helpers/thread.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const STAGING = DEMO_IDS.apps.webStaging;

describe('/rollback', async () => {
  const world = await testWorld();
  const { driver, slack, sim } = world;
  const rollbacks = (appId: string) =>
    sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' }).filter((r) => r.path.includes(appId));
  const answer = (from: number, match: (t: string) => boolean) =>
    waitFor('an answer', () => slack.ephemerals.slice(from).find((e) => match(e.text)));
  /** The commit an app's deployment ran, as DigitalOcean reports it. */
  const commitOf = (appId: string, deploymentId: string | undefined) =>
    deploymentId
      ? fetch(`${sim.url}/apps/${appId}/deployments/${deploymentId}`, {
          headers: { authorization: `Bearer ${sim.token}` },
        })
          .then(
            (r) => r.json() as Promise<{ deployment: { services: Array<{ source_commit_hash?: string }> } }>,
          )
          .then((j) => j.deployment.services[0]?.source_commit_hash)
      : Promise.resolve(undefined);
  /** An ephemeral answer as something the driver can click on. */
  const asMessage = (e: { text: string; blocks: unknown[] }): FakeMessage => ({
    channel: dev,
    ts: '0',
    text: e.text,
    blocks: e.blocks,
    updates: 0,
  });

  it('lists the last deployments, rolls back to the picked one, locks the env and offers Commit', async () => {
    let from = slack.ephemerals.length;
    await driver.command(alice, dev, '/rollback', 'web staging');
    const list = await answer(from, (t) => t === 'Deployments of web staging');
    const text = JSON.stringify(list.blocks);
    expect(text).toContain('active now');
    const picks = buttonsOf(list);
    expect(picks.length).toBeGreaterThan(0);
    expect(picks.length).toBeLessThanOrEqual(10);
    const pick = picks[0];
    if (!pick) throw new Error('no pick');
    const targetId = pick.value.split(' ')[2] ?? '';
    const runningBefore = await commitOf(STAGING, sim.app(STAGING).active_deployment?.id);
    const targetCommit = await commitOf(STAGING, targetId);
    expect(targetCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(targetCommit).not.toBe(runningBefore);

    const fromMsg = slack.messages.length;
    await driver.click(alice, asMessage(list), pick);
    const progress = await waitFor(
      'rollback message done',
      () => slack.messages.slice(fromMsg).find((m) => m.text === 'Rolling back web staging: done'),
      8000,
    );
    expect(rollbacks(STAGING)).toHaveLength(1);
    expect(rollbacks(STAGING)[0]?.body).toMatchObject({ deployment_id: targetId });
    // What a person would check in the console: staging runs the picked commit again, pinned.
    const active = sim.app(STAGING).active_deployment;
    expect(active?.cloned_from).toBe(targetId);
    expect(await commitOf(STAGING, active?.id)).toBe(targetCommit);
    expect(sim.app(STAGING).pinned_deployment?.id).toBe(active?.id);
    // What the rollback did and what it needs next are in the thread; the buttons on the line.
    expect(JSON.stringify((await withThread(slack, progress)).blocks)).toContain(
      'is locked: rolled back from',
    );
    expect(buttonsOf(progress).map((b) => b.text)).toEqual(['Commit rollback', 'Revert rollback']);

    from = slack.ephemerals.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const refused = await answer(from, (t) => t.includes('is locked'));
    expect(refused.text).toMatch(/^web staging is locked by dockside since .*rolled back from/);

    const fromCommit = slack.messages.length;
    await click(driver, alice, progress, 'Commit rollback');
    const committed = await waitFor('commit answer', () =>
      slack.messages.slice(fromCommit).find((m) => m.text.includes('unpinned')),
    );
    expect(committed.text).toContain('Kept rollback deployment');
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback/commit' })).toHaveLength(1);
    expect(sim.app(STAGING).pinned_deployment).toBeUndefined();
    expect(sim.app(STAGING).active_deployment?.id).toBe(active?.id);
    await driver.command(alice, dev, '/unlock', 'web staging');
    await waitFor('unlocked', () => slack.messages.some((m) => m.text.includes('unlocked web staging')));
  });

  it('reverts a rollback with a new deployment of what ran before', async () => {
    let from = slack.ephemerals.length;
    await driver.command(alice, dev, '/rollback', 'web staging');
    const list = await answer(from, (t) => t === 'Deployments of web staging');
    const pick = buttonsOf(list)[0];
    if (!pick) throw new Error('no pick');
    const ranBefore = await commitOf(STAGING, sim.app(STAGING).active_deployment?.id);
    const fromMsg = slack.messages.length;
    await driver.click(alice, asMessage(list), pick);
    const progress = await waitFor(
      'rolled back',
      () => slack.messages.slice(fromMsg).find((m) => m.text === 'Rolling back web staging: done'),
      8000,
    );
    from = slack.messages.length;
    await click(driver, alice, progress, 'Revert rollback');
    await waitFor(
      'revert done',
      () => slack.messages.slice(from).find((m) => m.text === 'Reverting rollback of web staging: done'),
      8000,
    );
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback/revert' })).toHaveLength(1);
    expect(await world.bot.locks.get('web', 'staging')).toBeNull();
    // Staging runs again what it ran before the rollback, and takes deployments again.
    expect(await commitOf(STAGING, sim.app(STAGING).active_deployment?.id)).toBe(ranBefore);
    expect(sim.app(STAGING).pinned_deployment).toBeUndefined();
  });

  it('refuses an id that is not a deployment of the app, telling how to pick one', async () => {
    const sent = sim.requests({ method: 'POST' }).length;
    const res = await driver.command(alice, dev, '/rollback', 'web staging 0123456789abcdef');
    const refused = await answerTo(world, res);
    expect(refused.text).toMatch(/\/rollback web staging/);
    expect(sim.requests({ method: 'POST' })).toHaveLength(sent);
  });

  it('in production, validates first and rolls back only after approval', async () => {
    const PROD = DEMO_IDS.apps.webProduction;
    let from = slack.ephemerals.length;
    await driver.command(alice, dev, '/rollback', 'web production');
    const list = await answer(from, (t) => t === 'Deployments of web production');
    const pick = buttonsOf(list)[0];
    if (!pick) throw new Error('no pick');
    const before = approvalMessages(slack).length;
    from = slack.ephemerals.length;
    await driver.click(alice, asMessage(list), pick);
    const approval = await newApproval(slack, before);
    expect(approval.text).toBe('Approval needed: Roll back web production');
    expect(JSON.stringify(approval.blocks)).toMatch(/roll back from .* to /);
    expect(
      sim
        .requests({ method: 'POST', route: '/v2/apps/:id/rollback/validate' })
        .some((r) => r.path.includes(PROD)),
    ).toBe(true);
    expect(rollbacks(PROD)).toHaveLength(0);
    const targetId = pick.value.split(' ')[2] ?? '';
    await click(driver, bob, approval, 'Approve');
    await waitFor(
      'approved rollback done',
      () => approval.text === 'Approval succeeded: Roll back web production',
      8000,
    );
    expect(rollbacks(PROD).map((r) => r.body)).toEqual([
      expect.objectContaining({ deployment_id: targetId }),
    ]);
    expect(sim.app(PROD).active_deployment?.cloned_from).toBe(targetId);
  });
});
