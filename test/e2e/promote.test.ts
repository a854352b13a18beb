import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfig } from '../../src/sandbox/config.js';
import { DEMO_IDS, DEMO_WORKER_DIGEST, type DoSimulator } from '../../src/sandbox/do-simulator.js';
import type { FakeMessage, FakeSlack } from '../../src/sandbox/fake-slack.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import type { World } from '../../src/sandbox/world.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { testWorld, waitFor } from '../helpers/world.js';

/**
 * /promote end to end: signed Slack requests into the bot, the DO simulator and its
 * fake GitHub behind it. The seeded `production` branch of acme/web is three commits
 * behind `main`, staging runs `main`'s head and the worker by digest, production the
 * worker by tag.
 */

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const STAGING = DEMO_IDS.apps.webStaging;
const PROD = DEMO_IDS.apps.webProduction;
const PROD_REF_PATCH = '/repos/acme/web/git/refs/heads/production';

const unescapeSlack = (text: string) =>
  text.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

/** Every mrkdwn text of a message, as a person reads it. */
function textOf(message: { text: string; blocks: unknown[] }): string {
  const texts: string[] = [message.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') texts.push(value);
        else walk(value);
      }
    }
  };
  walk(message.blocks);
  return unescapeSlack(texts.join('\n'));
}

/** Production deployments or spec updates that reached the simulator. */
function productionWrites(sim: DoSimulator) {
  return sim
    .requests()
    .filter(
      (r) =>
        r.path.includes(PROD) && ((r.method === 'PUT' && r.route === '/v2/apps/:id') || r.method === 'POST'),
    );
}

const activeCommit = (sim: DoSimulator, appId: string) =>
  sim.app(appId).active_deployment?.services.find((s) => s.name === 'web')?.source_commit_hash;

async function untilIdle(sim: DoSimulator, appId: string) {
  await waitFor(
    `${appId} to be idle`,
    () => !sim.app(appId).in_progress_deployment && !sim.app(appId).pending_deployment,
    8000,
  );
}

/** A new commit on main: staging deploys it on push; resolves once it is ACTIVE. */
async function moveStaging(sim: DoSimulator, message: string): Promise<string> {
  const sha = sim.pushCommit({ repo: 'acme/web', branch: 'main', message });
  await waitFor('staging to run the new commit', () => activeCommit(sim, STAGING) === sha, 8000);
  await untilIdle(sim, STAGING);
  return sha;
}

async function askToPromote(world: World): Promise<FakeMessage> {
  const before = approvalMessages(world.slack).length;
  await world.driver.command(alice, dev, '/promote', 'web');
  return newApproval(world.slack, before);
}

function promotionMessages(slack: FakeSlack): FakeMessage[] {
  // The channel lines; their threads hold the details.
  return slack.messages.filter((m) => !m.thread_ts && m.text.startsWith('Promoting to web production'));
}

async function approveAndFollow(world: World, approval: FakeMessage): Promise<FakeMessage> {
  const before = promotionMessages(world.slack).length;
  await click(world.driver, bob, approval, 'Approve');
  const progress = await waitFor('the promotion message', () => promotionMessages(world.slack)[before], 8000);
  await waitFor('the promotion to end', () => /: (done|failed)$/.test(progress.text), 10_000);
  return withThread(world.slack, progress);
}

describe('/promote web: staging to production through the fake GitHub', async () => {
  const world = await testWorld();
  const { slack, sim } = world;

  it('shows what changes, fast-forwards production on approval, deploys once and verifies', async () => {
    const stagingCommit = sim.branchHead('acme/web', 'main') ?? '';
    const productionCommit = sim.branchHead('acme/web', 'production') ?? '';
    expect(activeCommit(sim, PROD)).toBe(productionCommit);
    const deploymentsBefore = sim.app(PROD).active_deployment?.id ?? '';

    const approval = await askToPromote(world);
    expect(approval.channel).toBe('C0OPS');
    expect(approval.text).toBe('Approval needed: Promote web production');
    const asked = textOf(approval);
    expect(asked).toContain(`web: commit ${productionCommit.slice(0, 7)} -> ${stagingCommit.slice(0, 7)}`);
    expect(asked).toContain(
      `worker: ghcr.io/acme/web-worker:v1.4.1 (tag) -> sha256:${DEMO_WORKER_DIGEST.slice(7, 19)}…`,
    );
    expect(asked).toContain('staging has been ACTIVE for 24 h');
    expect(asked).toContain(
      `move branch \`production\` of acme/web from ${productionCommit.slice(0, 7)} to ${stagingCommit.slice(0, 7)} (fast-forward)`,
    );
    // Asking changes nothing anywhere.
    expect(sim.githubRequests({ method: 'PATCH' })).toHaveLength(0);
    expect(productionWrites(sim)).toHaveLength(0);

    const progress = await approveAndFollow(world, approval);
    expect(progress.text).toBe('Promoting to web production: done');
    await waitFor(
      'the approval to succeed',
      () => approval.text === 'Approval succeeded: Promote web production',
      8000,
    );

    // GitHub: production was fast-forwarded to exactly staging's commit, with force off.
    expect(sim.branchHead('acme/web', 'production')).toBe(stagingCommit);
    const patches = sim.githubRequests({ method: 'PATCH', route: PROD_REF_PATCH });
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ status: 200, body: { sha: stagingCommit, force: false } });
    // DigitalOcean: one spec update (worker pinned by digest), nothing else.
    const writes = productionWrites(sim);
    expect(writes.map((w) => `${w.method} ${w.route}`)).toEqual(['PUT /v2/apps/:id']);
    expect(JSON.stringify(writes[0]?.body)).toContain(DEMO_WORKER_DIGEST);
    // Production runs exactly the promoted builds, and says so.
    const app = sim.app(PROD);
    expect(app.active_deployment?.id).not.toBe(deploymentsBefore);
    expect(activeCommit(sim, PROD)).toBe(stagingCommit);
    expect(app.active_deployment?.spec.workers?.[0]?.image?.digest).toBe(DEMO_WORKER_DIGEST);
    expect(textOf(progress)).toContain('Verified: production runs exactly the promoted builds.');
  });

  it('answers that there is nothing to promote right after a promotion', async () => {
    const from = slack.ephemerals.length;
    const approvals = approvalMessages(slack).length;
    const patches = sim.githubRequests({ method: 'PATCH' }).length;
    const writes = productionWrites(sim).length;
    await world.driver.command(alice, dev, '/promote', 'web');
    const answer = await waitFor('an answer for alice', () =>
      slack.ephemerals.slice(from).find((e) => e.user === alice || e.via === 'response_url'),
    );
    expect(answer.text).toMatch(/already runs exactly what staging runs; nothing to promote/);
    expect(approvalMessages(slack)).toHaveLength(approvals);
    expect(sim.githubRequests({ method: 'PATCH' })).toHaveLength(patches);
    expect(productionWrites(sim)).toHaveLength(writes);
  });

  it('voids the approval when staging moved after the request, sending nothing to production', async () => {
    const requested = await moveStaging(sim, 'Add invoices');
    const approval = await askToPromote(world);
    expect(textOf(approval)).toContain(`-> ${requested.slice(0, 7)}`);

    const moved = await moveStaging(sim, 'Change invoice numbering');
    const production = sim.branchHead('acme/web', 'production');
    const patches = sim.githubRequests({ method: 'PATCH' }).length;
    const writes = productionWrites(sim).length;
    const githubCalls = sim.githubRequests().length;

    await click(world.driver, bob, approval, 'Approve');
    await waitFor(
      'the approval to fail',
      () => approval.text === 'Approval failed: Promote web production',
      8000,
    );
    const told = textOf(approval);
    expect(told).toMatch(/Staging moved on since this was approved/);
    expect(told).toContain(moved.slice(0, 7));
    expect(told).toMatch(/Ask for a new \/promote/);
    // Nothing reached GitHub (not even a read: the binding is checked first) or production.
    expect(sim.githubRequests({ method: 'PATCH' })).toHaveLength(patches);
    expect(sim.githubRequests()).toHaveLength(githubCalls);
    expect(productionWrites(sim)).toHaveLength(writes);
    expect(sim.branchHead('acme/web', 'production')).toBe(production);
    expect(
      promotionMessages(slack).filter((m) => m.text !== 'Promoting to web production: done'),
    ).toHaveLength(0);
  });
});

describe('/promote web when production fails its health check afterwards', async () => {
  const health = await startHealthServer();
  health.routes.set('/web-production', { status: 503, body: { status: 'down', database: 'unreachable' } });
  const world = await testWorld({
    config: (sim) => sandboxConfig({ githubApiUrl: sim.githubUrl, healthBaseUrl: health.url }),
  });

  it('offers a "Roll back to …" button and rolls back nothing by itself', async () => {
    const previous = world.sim.app(PROD).active_deployment?.id ?? '';
    const approval = await askToPromote(world);
    const progress = await approveAndFollow(world, approval);
    expect(progress.text).toBe('Promoting to web production: failed');
    expect(textOf(progress)).toMatch(/Health: .*503/);
    const rollback = buttonsOf(progress).find((b) => b.text.startsWith('Roll back to'));
    expect(rollback?.text).toMatch(
      new RegExp(`^Roll back to ${previous.slice(0, 8)} \\(commit [0-9a-f]{7}, .+ ago\\)$`),
    );
    expect(rollback?.value).toContain(previous);
    await waitFor(
      'the approval to fail',
      () => approval.text === 'Approval failed: Promote web production',
      8000,
    );
    // Post-deployment steps (auto_rollback among them) run before the approval is closed,
    // so a rollback would have been requested by now.
    expect(world.sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' })).toHaveLength(0);
  });
});

describe('/promote web with auto_rollback on production', async () => {
  const health = await startHealthServer();
  health.routes.set('/web-production', { status: 503, body: { status: 'down' } });
  const world = await testWorld({
    config: (sim) =>
      sandboxConfig({ githubApiUrl: sim.githubUrl, healthBaseUrl: health.url, autoRollback: true }),
  });

  it('starts a rollback to the previous deployment by itself when the health check fails', async () => {
    const previous = world.sim.app(PROD).active_deployment?.id ?? '';
    const approval = await askToPromote(world);
    const progress = await approveAndFollow(world, approval);
    expect(progress.text).toBe('Promoting to web production: failed');
    const rollbacks = await waitFor('a rollback request', () => {
      const found = world.sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' });
      return found.length > 0 && found;
    });
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ path: `/v2/apps/${PROD}/rollback`, status: 200 });
    expect(rollbacks[0]?.body).toMatchObject({ deployment_id: previous });
    expect(textOf(progress)).toContain(`auto_rollback is on: rolling back to \`${previous.slice(0, 8)}\``);
    expect(buttonsOf(progress).some((b) => b.text.startsWith('Roll back to'))).toBe(false);
    await waitFor(
      'production to run the previous commit again',
      () => world.sim.app(PROD).active_deployment?.cloned_from === previous,
      8000,
    );
  });
});

describe('/promote web when production itself deploys on push', async () => {
  const world = await testWorld();
  const { sim } = world;

  it('refuses before asking for approval, saying how to set production up, and moves nothing', async () => {
    // Someone turned on deploy_on_push for production in the DO console.
    const spec = structuredClone(sim.app(PROD).spec);
    const web = spec.services?.[0]?.github;
    if (!web) throw new Error('the seeded production web has no github source');
    web.deploy_on_push = true;
    const put = await fetch(`${sim.url}/apps/${PROD}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ spec }),
    });
    expect(put.status).toBe(200);
    await untilIdle(sim, PROD);
    const productionHead = sim.branchHead('acme/web', 'production');
    const before = new Set(await deploymentIds(sim, PROD));
    const approvalsBefore = world.slack.messages.filter((m) => m.text.startsWith('Approval')).length;
    const from = world.slack.ephemerals.length;
    await world.driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/promote', 'web');
    const answer = await waitFor('the refusal', () =>
      world.slack.ephemerals.slice(from).find((e) => e.text.startsWith('Cannot promote')),
    );
    expect(answer.text).toContain("web production's `web` deploys on push");
    expect(answer.text).toContain('Turn off "Autodeploy" (deploy_on_push)');
    expect(world.slack.messages.filter((m) => m.text.startsWith('Approval'))).toHaveLength(approvalsBefore);
    expect(sim.branchHead('acme/web', 'production')).toBe(productionHead);
    expect((await deploymentIds(sim, PROD)).filter((id) => !before.has(id))).toHaveLength(0);
  });
});

/** Ids of every deployment of an app, as DigitalOcean lists them. */
async function deploymentIds(sim: DoSimulator, appId: string): Promise<string[]> {
  const res = await fetch(`${sim.url}/apps/${appId}/deployments?per_page=200`, {
    headers: { authorization: `Bearer ${sim.token}` },
  });
  return ((await res.json()) as { deployments: Array<{ id: string }> }).deployments.map((d) => d.id);
}
