import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppOpsClient } from '../../src/do/app-ops.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { createDoClient } from '../../src/do/client.js';
import type { DoClient } from '../../src/do/port.js';
import { DEMO_IDS, type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { waitFor } from '../helpers/world.js';

const { webStaging, webProduction } = DEMO_IDS.apps;

let sim: DoSimulator;
let ops: AppOpsClient;
let doClient: DoClient;

beforeAll(async () => {
  sim = await startDoSimulator({ phaseDelayMs: 10 });
  sim.seedDemo();
  const options = {
    token: sim.token,
    endpoint: sim.url,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  };
  ops = createAppOpsClient(options);
  doClient = createDoClient(options);
});
afterAll(() => sim.close());

async function logText(request: Parameters<AppOpsClient['getLogLinks']>[0]) {
  return (await ops.readLog(await ops.getLogLinks(request))).text;
}

describe('the simulator serves App Platform logs', () => {
  it('archives the build log of a failed deployment, ending with why it failed', async () => {
    const deployments = await doClient.listDeployments(webStaging);
    const failed = deployments.find((d) => d.phase === 'ERROR');
    const links = await ops.getLogLinks({
      appId: webStaging,
      deploymentId: failed?.id,
      component: 'web',
      type: 'BUILD',
    });
    expect(links.liveUrl).toBeUndefined();
    expect(links.historicUrls).toHaveLength(1);
    const log = await ops.readLog(links);
    const lines = log.text.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      /^web \d{4}-\d\d-\d\dT[\d:.]+Z ERROR: failed to build: npm run build exited with code 1$/,
    );
    expect(log.source).toBe('historic');
  });

  it('streams the active deployment runtime log through a live link, all components by default', async () => {
    const links = await ops.getLogLinks({ appId: webStaging, type: 'RUN' });
    expect(links.historicUrls).toEqual([]);
    const log = await ops.readLog(links);
    expect(log.source).toBe('live');
    expect(log.text).toMatch(/^web .* GET \/api\/orders 200 41ms$/m);
    expect(log.text).toMatch(/^worker .* Server listening on :8080$/m);
  });

  it('keeps only the tail lines asked for, and adds lines a test injects', async () => {
    sim.addLogLines(webProduction, { type: 'RUN', component: 'web' }, ['ERROR boom 1', 'ERROR boom 2']);
    const text = await logText({ appId: webProduction, component: 'web', type: 'RUN', tailLines: 2 });
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ').slice(2).join(' ')),
    ).toEqual(['ERROR boom 1', 'ERROR boom 2']);
  });

  it('answers 404 for a component the deployment does not have, 400 for an unknown type', async () => {
    await expect(
      ops.getLogLinks({ appId: webStaging, component: 'nope', type: 'BUILD' }),
    ).rejects.toMatchObject({
      code: 'do_not_found',
    });
    await expect(
      ops.getLogLinks({ appId: webStaging, type: 'AUTOSCALE_EVENT' as 'BUILD' }),
    ).rejects.toMatchObject({ code: 'do_api_failed' });
  });

  it('shows crashed instances of an unhealthy component in RUN_RESTARTED', async () => {
    expect(await logText({ appId: webProduction, component: 'worker', type: 'RUN_RESTARTED' })).toBe('');
    sim.setComponentHealth(webProduction, 'worker', { state: 'UNHEALTHY', replicas_ready: 0 });
    const text = await logText({ appId: webProduction, component: 'worker', type: 'RUN_RESTARTED' });
    expect(text).toMatch(/^worker \S+ container exited with code 137 \(OOMKilled\); restarting$/m);
  });

  it('refuses an archive link without its signature, as an expired one', async () => {
    const links = await ops.getLogLinks({ appId: webStaging, type: 'BUILD' });
    const bare = (links.historicUrls[0] ?? '').split('?')[0] ?? '';
    expect((await fetch(bare)).status).toBe(403);
  });
});

describe('the simulator restarts, proposes and runs jobs', () => {
  it('restarts named components into a new deployment of what was active', async () => {
    const before = await doClient.getApp(webStaging);
    const dep = await ops.restart(webStaging, ['web']);
    expect(dep.cause).toBe('restart of web requested');
    const done = await waitFor('the restart to finish', async () => {
      const d = await doClient.getDeployment(webStaging, dep.id);
      return d.phase === 'ACTIVE' ? d : undefined;
    });
    expect(done.components).toEqual(before.activeDeployment?.components);
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/restart' }).at(-1)?.body).toEqual({
      components: ['web'],
    });
  });

  it('refuses to restart a component the app does not have', async () => {
    await expect(ops.restart(webStaging, ['nope'])).rejects.toMatchObject({
      message: expect.stringContaining('no service or worker named nope'),
    });
  });

  it('prices a spec: instance size times count of services and workers', async () => {
    const app = await doClient.getApp(webProduction);
    expect(await ops.propose(app.spec, webProduction)).toEqual({ appCost: 10, appIsStatic: false });
    const bigger = structuredClone(app.spec);
    Object.assign(bigger.services?.[0] ?? {}, { instance_size_slug: 'professional-xs', instance_count: 2 });
    expect((await ops.propose(bigger, webProduction)).appCost).toBe(29);
  });

  it('records an invocation of a PRE_DEPLOY job per deployment, with its log', async () => {
    const appId = sim.addApp({
      name: 'jobs-demo',
      services: [{ name: 'api', image: { registry_type: 'GHCR', repository: 'acme/api', tag: 'v1' } }],
      jobs: [
        {
          name: 'migrate',
          kind: 'PRE_DEPLOY',
          image: { registry_type: 'GHCR', repository: 'acme/api', tag: 'v1' },
        },
      ],
    });
    const [invocation] = await ops.listJobInvocations(appId, { jobNames: ['migrate'] });
    expect(invocation).toMatchObject({ jobName: 'migrate', phase: 'SUCCEEDED', trigger: 'UNKNOWN' });
    const links = await ops.getJobInvocationLogLinks(appId, 'migrate', invocation?.id ?? '');
    expect((await ops.readLog(links)).text).toMatch(/^migrate .* Applied 2 migrations in 0.4s$/m);
    expect(await ops.listJobInvocations(appId, { jobNames: ['other'] })).toEqual([]);
  });
});
