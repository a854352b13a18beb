import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import { approvalMessages, button, click, newApproval } from '../helpers/approvals.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { ops, dev } = SANDBOX_CHANNELS;
const UNHEALTHY = 'http://127.0.0.1:9/health/web-production';

/**
 * The sandbox's envs, with each announce setting once: web staging `all`, web production
 * the production default (`all`), erp staging `off`, erp production `failures`.
 */
function config(githubApiUrl: string) {
  const text = sandboxConfigText({ githubApiUrl, healthBaseUrl: 'http://127.0.0.1:9/health' })
    .replace(/(staging: +\{ app_id: 6f0e[^}]*)\}/, '$1, announce: all }')
    .replace(/(staging: +\{ app_id: 3b7d[^}]*)\}/, '$1, announce: off }')
    .replace(/(production: \{ app_id: 5d2e[^}]*)\}/, '$1, announce: failures }');
  return parseConfig(text, process.env, 'test dockside.yml');
}

describe('deployments dockside did not start, over three replicas', async () => {
  let unhealthy = false;
  const bot = {
    outOfBand: { tickMs: 100, pollMs: 25 },
    probeHealth: async (url: string) =>
      unhealthy && url === UNHEALTHY
        ? { ok: false, summary: '503 Service Unavailable in 12 ms' }
        : { ok: true, summary: '200 OK in 8 ms' },
  };
  const world = await testWorld({ config: (sim) => config(sim.githubUrl), bot });
  const replicas = [world.driver, (await world.spawnBot()).driver, (await world.spawnBot()).driver];
  const { slack, sim } = world;
  /** Channel lines only: the details are replies in each line's thread. */
  const outside = (target: string, from = 0) =>
    slack.messages
      .slice(from)
      .filter((m) => m.text.startsWith(`Deployment outside dockside of ${target}`) && !m.thread_ts);
  /** What a person reads on the line and in its thread. */
  const blocksOf = async (m: FakeMessage) => JSON.stringify((await withThread(slack, m)).blocks);
  /** The watch has looked again several times (whichever replica), and anything claimed was followed. */
  const settle = async () => {
    const looks = () => sim.requests({ method: 'GET', route: '/v2/apps' }).length;
    const target = looks() + 5;
    await waitFor('five more looks at the apps', () => looks() >= target, 10_000);
    await new Promise((r) => setTimeout(r, 200));
  };

  it('announces a push once in the ops channel, with who pushed what, and follows it to the end', async () => {
    // The first look at the apps is the baseline: what ran before it is history.
    await waitFor('the first look', () => sim.requests({ method: 'GET', route: '/v2/apps' }).length > 1);
    const id = sim.startOutOfBand(DEMO_IDS.apps.webProduction, {
      via: 'push',
      author: 'Jane Doe',
      message: 'Fix the checkout total\n\nlonger body',
    });
    const done = await waitFor(
      'the announcement to finish',
      () => outside('web production').find((m) => m.text.endsWith(': done')),
      10_000,
    );
    await settle();
    expect(outside('web production')).toHaveLength(1);
    expect(done.channel).toBe(ops);
    const sha = sim.app(DEMO_IDS.apps.webProduction).active_deployment?.services[0]?.source_commit_hash;
    const text = await blocksOf(done);
    expect(text).toContain(`Started by a git push of \`${sha?.slice(0, 7)}\` by Jane Doe to \`production\``);
    expect(text).toContain('Fix the checkout total');
    expect(text).not.toContain('longer body');
    expect(text).toContain('Not started by dockside');
    expect(text).toContain(id.slice(0, 8));
    expect(done.updates).toBeGreaterThan(0);
    const results = (await world.bot.audit.list({ app: 'web', limit: 50 })).filter(
      (e) => e.action === 'external.result',
    );
    expect(results).toHaveLength(1);
  });

  it('never announces a deployment dockside started itself', async () => {
    const from = slack.messages.length;
    await replicas[2]?.command(alice, dev, '/deploy', 'web staging');
    await waitFor(
      'the deploy to finish',
      () => slack.messages.slice(from).find((m) => m.text === 'Deploying web staging: done'),
      10_000,
    );
    await settle();
    expect(outside('web staging', from)).toHaveLength(0);
    // The same env does announce a console deployment (announce: all).
    sim.startOutOfBand(DEMO_IDS.apps.webStaging, { via: 'console', author: 'Sam Ops' });
    const done = await waitFor(
      'the console deployment',
      () => outside('web staging', from).find((m) => m.text.endsWith(': done')),
      10_000,
    );
    expect(await blocksOf(done)).toContain(
      'Started by a deployment by Sam Ops in the DigitalOcean control panel',
    );
  });

  it('with announce: failures posts a failed push with its log excerpt, and nothing for a good one', async () => {
    const from = slack.messages.length;
    sim.startOutOfBand(DEMO_IDS.apps.erpProduction, { via: 'push', author: 'Kim' });
    await waitFor('the good push to end', () => {
      const app = sim.app(DEMO_IDS.apps.erpProduction);
      return !app.in_progress_deployment && app.active_deployment?.cause.startsWith('commit');
    });
    await settle();
    expect(outside('erp production', from)).toHaveLength(0);
    sim.startOutOfBand(DEMO_IDS.apps.erpProduction, { via: 'push', author: 'Kim', fail: true });
    const failed = await waitFor(
      'the failure',
      () => outside('erp production', from).find((m) => m.text.endsWith(': failed')),
      10_000,
    );
    await settle();
    expect(outside('erp production', from)).toHaveLength(1);
    // Posted once, at the end: no progress message was edited along the way.
    expect(failed.updates).toBe(0);
    const text = await blocksOf(failed);
    expect(text).toContain('Started by a git push');
    expect(text).toContain('The previous deployment keeps serving.');
    expect(text).toMatch(/npm run build exited with code 1/);
    expect(button(failed, 'Full log as a file')).toBeDefined();
    expect(text).not.toContain('Roll back to');
  });

  it('with announce: off posts nothing', async () => {
    const from = slack.messages.length;
    sim.startOutOfBand(DEMO_IDS.apps.erpStaging, { via: 'push', fail: true });
    await waitFor('the failure on DigitalOcean', () => {
      const deps = sim.requests({ method: 'GET', route: '/v2/apps' });
      return deps.length > 0 && !sim.app(DEMO_IDS.apps.erpStaging).in_progress_deployment;
    });
    await settle();
    expect(outside('erp staging', from)).toHaveLength(0);
  });

  it('offers "Roll back" and the runtime log when a push to production goes live unhealthy; the click asks for approval, approving rolls back', async () => {
    const previous = sim.app(DEMO_IDS.apps.webProduction).active_deployment?.id ?? '';
    unhealthy = true;
    const from = slack.messages.length;
    sim.startOutOfBand(DEMO_IDS.apps.webProduction, { via: 'push', author: 'Jane Doe' });
    const failed = await waitFor(
      'the unhealthy outcome',
      () => outside('web production', from).find((m) => m.text.endsWith(': failed')),
      10_000,
    );
    unhealthy = false;
    const failedText = await blocksOf(failed);
    expect(failedText).toContain('503 Service Unavailable');
    // The end of its runtime log comes with it, and the whole log a click away.
    expect(failedText).toMatch(/Last \d+ lines of its RUN log:/);
    expect(button(failed, 'Full runtime log as a file').value).toMatch(/^web production run --deployment /);
    const rollBack = button(failed, 'Roll back to');
    expect(rollBack.text).toContain(previous.slice(0, 8));
    const before = approvalMessages(slack).length;
    const res = await replicas[1]?.click(alice, failed, rollBack);
    expect(res?.status).toBe(200);
    const approval = await newApproval(slack, before);
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' })).toHaveLength(0);
    await click(replicas[2]!, bob, approval, 'Approve');
    await waitFor(
      'the rollback to finish',
      () => slack.messages.slice(from).find((m) => m.text === 'Rolling back web production: done'),
      10_000,
    );
    const rollbacks = sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' });
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]?.body).toMatchObject({ deployment_id: previous });
    await settle();
    // The rollback is dockside's own: it is followed as one, never announced.
    expect(outside('web production', from)).toHaveLength(1);
  });
});

describe('an out-of-band deployment whose watching replica goes away mid-way', async () => {
  // Only the replica started below watches; the others follow what is in Redis.
  const world = await testWorld({
    config: (sim) => config(sim.githubUrl),
    phaseDelayMs: 150,
    bot: { probeHealth: async () => ({ ok: true, summary: '200 OK in 8 ms' }) },
  });
  const watching = { outOfBand: { tickMs: 100, pollMs: 25 } };
  const { slack, sim } = world;

  it('is followed to its end by another replica and announced once, also when a new watcher looks again', async () => {
    const first = await world.spawnBot(watching);
    await waitFor('the first look', () => sim.requests({ method: 'GET', route: '/v2/apps' }).length > 0);
    const from = slack.messages.length;
    sim.startOutOfBand(DEMO_IDS.apps.webProduction, { via: 'push', author: 'Jane Doe' });
    const message = await waitFor('the announcement', () =>
      slack.messages
        .slice(from)
        .find((m) => m.text.startsWith('Deployment outside dockside of web production')),
    );
    await first.bot.stop(); // mid-deployment: phases take 150 ms each
    expect(message.text).not.toMatch(/done$/);
    const looks = sim.requests({ method: 'GET', route: '/v2/apps' }).length;
    await world.spawnBot(watching);
    await waitFor(
      'another replica to finish the message',
      () => message.text === 'Deployment outside dockside of web production: done',
      10_000,
    );
    await waitFor(
      'the new watcher to look several times',
      () => sim.requests({ method: 'GET', route: '/v2/apps' }).length >= looks + 5,
      10_000,
    );
    expect(
      slack.messages
        .slice(from)
        .filter((m) => m.text.startsWith('Deployment outside dockside of') && !m.thread_ts),
    ).toHaveLength(1);
  });
});
