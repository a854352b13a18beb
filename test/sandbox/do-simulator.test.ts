import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDoClient } from '../../src/do/client.js';
import {
  type AppSpec,
  type Deployment,
  type DeploymentPhase,
  type DoClient,
  type ImageSource,
  TERMINAL_PHASES,
} from '../../src/do/port.js';
import { isDocksideError } from '../../src/errors.js';
import { DEMO_IDS, type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';

const { webStaging, webProduction } = DEMO_IDS.apps;
const { mainPg } = DEMO_IDS.databases;

let sim: DoSimulator;
let client: DoClient;

beforeEach(async () => {
  // Long enough that a 5 ms poll sees every phase, short enough for a fast suite.
  sim = await startDoSimulator({ phaseDelayMs: 50 });
  sim.seedDemo();
  client = createDoClient({
    token: sim.token,
    endpoint: sim.url,
    retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 50 },
  });
});

afterEach(async () => {
  await sim.close();
});

/** Polls like the deploy watcher does, recording every phase it saw. */
async function follow(
  appId: string,
  deploymentId: string,
  seen: DeploymentPhase[] = [],
): Promise<{ last: Deployment; seen: DeploymentPhase[] }> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const dep = await client.getDeployment(appId, deploymentId);
    if (seen.at(-1) !== dep.phase) seen.push(dep.phase);
    if (TERMINAL_PHASES.has(dep.phase)) return { last: dep, seen };
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`deployment ${deploymentId} did not finish; phases seen: ${seen.join(' > ')}`);
}

async function rejection(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDocksideError(err)) throw new Error(`expected a DocksideError, got ${String(err)}`);
  return err;
}

describe('DO simulator with the real client', () => {
  it('moves a deployment through its phases to ACTIVE, building the branch head', async () => {
    const sha = sim.pushCommit({
      repo: 'acme/web',
      branch: 'production',
      sha: 'c0ffee0000000000000000000000000000000001',
    });
    const before = await client.getApp(webProduction);
    const dep = await client.createDeployment(webProduction);
    expect((await client.getApp(webProduction)).inProgressDeployment?.id).toBe(dep.id);

    const { last, seen } = await follow(webProduction, dep.id, [dep.phase]);
    expect(seen).toEqual(['PENDING_BUILD', 'BUILDING', 'PENDING_DEPLOY', 'DEPLOYING', 'ACTIVE']);
    expect(last.components).toContainEqual({ name: 'web', sourceCommitHash: sha });
    expect(last.progress.successSteps).toBe(last.progress.totalSteps);

    const after = await client.getApp(webProduction);
    expect(after.activeDeployment?.id).toBe(dep.id);
    expect(after.inProgressDeployment).toBeUndefined();
    const previous = before.activeDeployment?.id ?? '';
    expect((await client.getDeployment(webProduction, previous)).phase).toBe('SUPERSEDED');
  });

  it('fails the next deployment in the chosen phase with a reason, leaving the old one live', async () => {
    const activeBefore = (await client.getApp(webStaging)).activeDeployment?.id;
    sim.failNextDeployment(webStaging, {
      phase: 'DEPLOYING',
      reason: { code: 'DeployHealthCheckFailed', message: 'GET /health returned 503' },
    });
    const dep = await client.createDeployment(webStaging);
    const { last, seen } = await follow(webStaging, dep.id);
    expect(seen.at(-1)).toBe('ERROR');
    expect(seen).toContain('DEPLOYING');
    expect(last.progress.errorSteps).toBeGreaterThan(0);
    expect(last.progress.steps.find((s) => s.status === 'ERROR')?.reason).toEqual({
      code: 'DeployHealthCheckFailed',
      message: 'GET /health returned 503',
    });
    expect((await client.getApp(webStaging)).activeDeployment?.id).toBe(activeBefore);
  });

  it('cancels a running deployment on request', async () => {
    const dep = await client.createDeployment(webStaging);
    const canceled = await client.cancelDeployment(webStaging, dep.id);
    expect(canceled.phase).toBe('CANCELED');
    expect((await client.getApp(webStaging)).inProgressDeployment).toBeUndefined();
  });

  it('pins the app on rollback, refusing deploys until the rollback is committed', async () => {
    const history = await client.listDeployments(webProduction);
    const target = history.find((d) => d.phase === 'SUPERSEDED');
    const failed = history.find((d) => d.phase === 'ERROR');
    if (!target || !failed) throw new Error('seed data lacks a superseded and a failed deployment');

    expect((await client.validateRollback(webProduction, failed.id)).error?.code).toBe('incompatible_phase');
    const check = await client.validateRollback(webProduction, target.id);
    expect(check.valid).toBe(true);
    // Production's worker runs by tag, so the rollback may not bring back the same image.
    expect(check.warnings).toContainEqual(
      expect.objectContaining({ code: 'image_source_missing_digest', components: ['worker'] }),
    );

    const rollback = await client.rollback(webProduction, target.id);
    expect(rollback.components).toEqual(target.components);
    expect((await client.getApp(webProduction)).pinnedDeployment?.id).toBe(rollback.id);
    await follow(webProduction, rollback.id);

    const refused = await rejection(client.createDeployment(webProduction));
    expect(refused.code).toBe('do_api_failed');
    expect(refused.message).toContain('pinned');
    expect((await client.validateRollback(webProduction, target.id)).error?.code).toBe('app_pinned');

    await client.commitRollback(webProduction);
    expect((await client.getApp(webProduction)).pinnedDeployment).toBeUndefined();
    const next = await client.createDeployment(webProduction);
    expect((await follow(webProduction, next.id)).last.phase).toBe('ACTIVE');
  });

  it('reverts a rollback to what ran before it and unpins', async () => {
    const app = await client.getApp(webStaging);
    const runningBefore = app.activeDeployment?.components;
    const target = (await client.listDeployments(webStaging)).find((d) => d.phase === 'SUPERSEDED');
    if (!target) throw new Error('seed data lacks a superseded deployment');
    await follow(webStaging, (await client.rollback(webStaging, target.id)).id);

    const revert = await client.revertRollback(webStaging);
    expect(revert.components).toEqual(runningBefore);
    expect((await follow(webStaging, revert.id)).last.phase).toBe('ACTIVE');
    expect((await client.getApp(webStaging)).pinnedDeployment).toBeUndefined();
  });

  it('restores the chosen backup into a new cluster', async () => {
    const backups = await client.listDatabaseBackups(mainPg);
    expect(backups.length).toBeGreaterThanOrEqual(3);
    const chosen = backups[1];
    if (!chosen) throw new Error('no backups');
    const restored = await client.restoreDatabaseBackup({
      sourceClusterId: mainPg,
      newClusterName: 'main-pg-restore',
      backupCreatedAt: chosen.createdAt,
    });
    expect(restored.id).not.toBe(mainPg);
    expect(restored).toMatchObject({ name: 'main-pg-restore', engine: 'pg', status: 'creating' });
    expect(sim.database(restored.id).restoredFrom).toEqual({
      clusterName: 'main-pg',
      backupCreatedAt: chosen.createdAt,
    });
    expect(sim.requests({ method: 'POST', route: '/v2/databases' }).map((r) => r.status)).toEqual([201]);

    const missing = await rejection(
      client.restoreDatabaseBackup({
        sourceClusterId: mainPg,
        newClusterName: 'x',
        backupCreatedAt: '2001-01-01T00:00:00Z',
      }),
    );
    expect(missing.code).toBe('do_not_found');
  });

  it('retries injected 503s on reads but sends a deployment only once', async () => {
    sim.injectFault({ route: 'GET /v2/apps/:id', status: 503, count: 2 });
    expect((await client.getApp(webStaging)).name).toBe('web-staging');
    expect(sim.requests({ method: 'GET', route: '/v2/apps/:id' }).map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);

    const deploymentsBefore = (await client.listDeployments(webStaging, { perPage: 50 })).length;
    sim.injectFault({ route: 'POST /v2/apps/:id/deployments', status: 503, count: 3 });
    await rejection(client.createDeployment(webStaging));
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' })).toHaveLength(1);
    expect(await client.listDeployments(webStaging, { perPage: 50 })).toHaveLength(deploymentsBefore);
  });

  it('deploys staging on a push to its branch, with the commit in the cause', async () => {
    const sha = sim.pushCommit({ appId: webStaging });
    const app = await client.getApp(webStaging);
    const dep = app.inProgressDeployment;
    expect(dep?.cause).toContain(sha.slice(0, 7));
    expect(dep?.components).toContainEqual({ name: 'web', sourceCommitHash: sha });
  });

  it('reports component health as set', async () => {
    sim.setComponentHealth(webProduction, 'web', { state: 'UNHEALTHY', replicas_ready: 0 });
    expect(await client.getAppHealth(webProduction)).toContainEqual(
      expect.objectContaining({ name: 'web', state: 'UNHEALTHY', replicasReady: 0 }),
    );
  });

  it('updates the spec and deploys it with the latest sources when asked', async () => {
    const app = await client.getApp(webProduction);
    const sha = sim.pushCommit({ repo: 'acme/web', branch: 'production' });
    const spec = { ...app.spec, services: app.spec.services?.map((s) => ({ ...s, instance_count: 2 })) };
    const updated = await client.updateAppSpec(webProduction, spec, { updateAllSourceVersions: true });
    expect(updated.spec.services?.[0]?.instance_count).toBe(2);
    // DO names the deployment an update created pending_deployment, whether or not it runs yet.
    const dep = updated.pendingDeployment;
    expect(dep?.components).toContainEqual({ name: 'web', sourceCommitHash: sha });
  });

  it('refuses the image sources App Platform refuses, changing nothing', async () => {
    const app = await client.getApp(webProduction);
    const worker = app.spec.workers?.[0];
    if (!worker?.image) throw new Error('the seeded production has no image worker');
    const withImage = (image: Record<string, unknown>): AppSpec => ({
      ...app.spec,
      workers: [{ ...worker, image: { ...worker.image, ...image } as ImageSource }],
    });
    const before = (await client.listDeployments(webProduction)).length;
    const digest = `sha256:${'a'.repeat(64)}`;
    const refusals = [
      [{ tag: 'v1', digest }, 'tag cannot be specified if digest is provided'],
      [
        { tag: undefined, digest, registry_type: 'DOCR', deploy_on_push: { enabled: true } },
        'deploy_on_push can only be used with an image tag, not a specific digest',
      ],
      [{ deploy_on_push: { enabled: true } }, 'deploy_on_push can only be used for images hosted in DOCR'],
      [{ registry_type: 'QUAY' }, 'registry_type must be one of DOCKER_HUB, DOCR, GHCR'],
    ] as const;
    for (const [image, message] of refusals) {
      const res = await fetch(`${sim.url}/apps/${webProduction}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec: withImage(image) }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        id: 'bad_request',
        message: `component "worker": image: ${message}`,
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    }
    expect(await client.listDeployments(webProduction)).toHaveLength(before);
    expect(sim.app(webProduction).spec).toEqual(app.spec);
    // A tag with autodeploy from DOCR is fine.
    const ok = withImage({ registry_type: 'DOCR', registry: undefined, deploy_on_push: { enabled: true } });
    expect((await client.updateAppSpec(webProduction, ok)).pendingDeployment).toBeDefined();
  });

  it("names the update's deployment pending_deployment even while another one is in progress", async () => {
    const running = await client.createDeployment(webProduction);
    const app = await client.getApp(webProduction);
    const updated = await client.updateAppSpec(webProduction, app.spec);
    expect(updated.inProgressDeployment?.id).toBe(running.id);
    expect(updated.pendingDeployment?.id).not.toBe(running.id);
    expect(updated.pendingDeployment?.cause).toBe('app spec updated');
  });

  it("can answer a spec update before its deployment exists, with someone else's in progress", async () => {
    const app = await client.getApp(webProduction);
    const before = new Set((await client.listDeployments(webProduction)).map((d) => d.id));
    const control = await fetch(sim.url.replace('/v2', '/_sim/answer-spec-update-early'), {
      method: 'POST',
      body: JSON.stringify({ app_id: webProduction, delay_ms: 30, interleave: true }),
    });
    expect(control.status).toBe(200);
    const updated = await client.updateAppSpec(webProduction, app.spec);
    expect(updated.pendingDeployment).toBeUndefined();
    const other = updated.inProgressDeployment;
    expect(other?.cause).toBe('manual');
    const created = await waitForNew(webProduction, before, 'app spec updated');
    expect(created.id).not.toBe(other?.id);
  });

  it('answers a rollback commit with 200 and no body, and reports only step statuses DO defines', async () => {
    const target = (await client.listDeployments(webStaging)).find((d) => d.phase === 'SUPERSEDED');
    if (!target) throw new Error('no earlier deployment to roll back to');
    const dep = await client.rollback(webStaging, target.id);
    const seen = new Set<string>();
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await fetch(`${sim.url}/apps/${webStaging}/deployments/${dep.id}`, {
        headers: { authorization: `Bearer ${sim.token}` },
      });
      const { deployment } = (await res.json()) as {
        deployment: { phase: string; progress: { steps: unknown[] } };
      };
      collectStatuses(deployment.progress.steps, seen);
      if (deployment.phase === 'ACTIVE' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(
      [...seen].every((status) => ['UNKNOWN', 'PENDING', 'RUNNING', 'ERROR', 'SUCCESS'].includes(status)),
    ).toBe(true);
    expect(seen).toContain('RUNNING');
    const commit = await fetch(`${sim.url}/apps/${webStaging}/rollback/commit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}` },
    });
    expect(commit.status).toBe(200);
    expect(await commit.text()).toBe('');
    expect(sim.app(webStaging).pinned_deployment).toBeUndefined();
  });

  it('rejects requests without its token, as DO does, and steers through the control API', async () => {
    const anonymous = await fetch(`${sim.url}/apps/${webStaging}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ id: 'unauthorized', message: 'Unable to authenticate you.' });
    const wrong = createDoClient({ token: 'dop_v1_0000000000000000000000000000', endpoint: sim.url });
    await expect(wrong.getApp(webStaging)).rejects.toMatchObject({ code: 'do_api_failed' });

    const control = await fetch(sim.url.replace('/v2', '/_sim/fail-next'), {
      method: 'POST',
      body: JSON.stringify({ app_id: webStaging, phase: 'BUILDING' }),
    });
    expect(control.status).toBe(200);
    const dep = await client.createDeployment(webStaging);
    const { last } = await follow(webStaging, dep.id);
    expect(last.phase).toBe('ERROR');
    expect(last.progress.steps.find((s) => s.status === 'ERROR')?.name).toBe('build');
    // Steps nest as DO nests them (build > components > web), the failing component included.
    expect(last.progress.steps.filter((s) => s.status === 'ERROR').map((s) => s.name)).toEqual([
      'build',
      'build / components',
      'build / components / web',
    ]);
  });
});

function collectStatuses(steps: unknown[], into: Set<string>): void {
  for (const step of steps as Array<{ status: string; steps?: unknown[] }>) {
    into.add(step.status);
    collectStatuses(step.steps ?? [], into);
  }
}

async function waitForNew(appId: string, known: Set<string>, cause: string): Promise<Deployment> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const found = (await client.listDeployments(appId)).find((d) => !known.has(d.id) && d.cause === cause);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no new deployment caused by ${cause}`);
}
