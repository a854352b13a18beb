import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import { approvalMessages, button, newApproval } from '../helpers/approvals.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

describe('three replicas sharing one Redis', async () => {
  const world = await testWorld();
  const replicas = [world.driver, (await world.spawnBot()).driver, (await world.spawnBot()).driver];

  it('turn 50 distinct simultaneous Approve clicks into exactly one production deployment', async () => {
    const { slack, sim } = world;
    const before = approvalMessages(slack).length;
    await replicas[1]?.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web production');
    const approval = await newApproval(slack, before);
    const approve = button(approval, 'Approve');
    const answered = () =>
      slack.ephemerals.filter((e) => e.user === SANDBOX_USERS.bob && e.via === 'chat.postEphemeral');
    const answersBefore = answered().length;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => replicas[i % 3]?.click(SANDBOX_USERS.bob, approval, approve)),
    );
    expect(results.every((r) => r?.status === 200)).toBe(true);
    await waitFor(
      'the approval to settle',
      () => approval.text === 'Approval succeeded: Deploy web production',
      10_000,
    );
    const settledMs = Math.round(performance.now() - started);
    const deployments = sim
      .requests({ method: 'POST', route: '/v2/apps/:id/deployments' })
      .filter((r) => r.path.includes(DEMO_IDS.apps.webProduction));
    expect(deployments).toHaveLength(1);
    const progress = slack.messages.filter(
      (m) => !m.thread_ts && m.text.startsWith('Deploying web production'),
    );
    expect(progress).toHaveLength(1);
    expect(progress[0]?.text).toBe('Deploying web production: done');
    // Its thread tells each step once, whichever replica followed it.
    const line = progress[0] as FakeMessage;
    await withThread(slack, line);
    const told = slack.replies(line).map((r) => r.text);
    expect(new Set(told).size).toBe(told.length);
    const runs = (await world.bot.audit.list({ app: 'web', limit: 200 })).filter(
      (e) => e.action === 'approval.run.deploy' && e.result === 'started',
    );
    expect(runs).toHaveLength(1);
    // Every click was a click of its own (its own trigger id), so each reached the approval
    // store: one approved, and each of the other 49 was told it changed nothing.
    await waitFor('an answer to every other click', () => answered().length - answersBefore >= 49, 10_000);
    const others = answered().slice(answersBefore);
    expect(others).toHaveLength(49);
    expect(others.every((e) => /already|changed nothing/.test(e.text))).toBe(true);
    const approvals = (await world.bot.audit.list({ app: 'web', limit: 200 })).filter(
      (e) => e.action === 'approval.approve' && e.result === 'approved',
    );
    expect(approvals).toHaveLength(1);
    console.log(
      `multi-replica: 50 clicks over 3 replicas -> ${deployments.length} deployment, settled in ${settledMs} ms`,
    );
  });
});
