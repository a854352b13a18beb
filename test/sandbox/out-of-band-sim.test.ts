import { afterAll, describe, expect, it } from 'vitest';
import { createAppListClient } from '../../src/do/app-list.js';
import { createDoClient } from '../../src/do/client.js';
import { DEMO_IDS, startDoSimulator } from '../../src/sandbox/do-simulator.js';

const { webStaging, webProduction } = DEMO_IDS.apps;

describe('the simulator, for deployments started outside dockside', async () => {
  const sim = await startDoSimulator({ phaseDelayMs: 20 });
  sim.seedDemo();
  afterAll(() => sim.close());
  const options = {
    token: sim.token,
    endpoint: sim.url,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  };
  const client = createDoClient(options);

  it('lists every app in pages (GET /v2/apps), each with its deployments and last_deployment_created_at', async () => {
    const res = await fetch(`${sim.url}/apps?per_page=1&page=1`, {
      headers: { authorization: `Bearer ${sim.token}` },
    });
    const body = (await res.json()) as {
      apps: Array<Record<string, unknown>>;
      links: { pages?: { next?: string } };
      meta: { total: number };
    };
    expect(body.apps).toHaveLength(1);
    expect(body.meta.total).toBe(4);
    // Absolute, as DigitalOcean's links are (shared/pages.yml).
    expect(body.links.pages?.next).toBe(`${sim.url}/apps?per_page=1&page=2`);
    expect(Object.keys(body.apps[0] ?? {})).toEqual(
      expect.arrayContaining(['id', 'spec', 'active_deployment', 'last_deployment_created_at']),
    );
    const unauthorized = await fetch(`${sim.url}/apps`);
    expect(unauthorized.status).toBe(401);
    const all = await createAppListClient(options).listApps();
    expect(all.map((a) => a.id).sort()).toEqual(Object.values(DEMO_IDS.apps).sort());
    expect(all.every((a) => a.activeDeployment && a.lastDeploymentCreatedAt)).toBe(true);
  });

  it('starts a push out of band with git_push cause details, parsed by the client', async () => {
    const id = sim.startOutOfBand(webStaging, { via: 'push', author: 'Jane Doe', message: 'Fix totals' });
    const d = await client.getDeployment(webStaging, id);
    const sha = sim.branchHead('acme/web', 'main') ?? '';
    expect(d.cause).toBe(`commit ${sha.slice(0, 7)} pushed to github.com/acme/web/tree/main`);
    expect(d.causeDetails).toEqual({
      type: 'DEPLOY_ON_PUSH',
      gitPush: {
        repo: 'acme/web',
        branch: 'main',
        username: 'Jane Doe',
        commitAuthor: 'Jane Doe',
        commitSha: sha,
        commitMessage: 'Fix totals',
      },
    });
    const app = await client.getApp(webStaging);
    expect(app.inProgressDeployment?.id ?? app.activeDeployment?.id).toBe(id);
    expect(app.lastDeploymentCreatedAt).toBe(d.createdAt);
  });

  it('starts a console deployment with the person, and one that fails', async () => {
    const id = sim.startOutOfBand(webProduction, {
      via: 'console',
      author: 'Sam',
      email: 'sam@example.com',
      fail: true,
    });
    const d = await client.getDeployment(webProduction, id);
    expect(d.causeDetails).toEqual({
      type: 'MANUAL',
      digitaloceanUserAction: {
        name: 'CREATE_DEPLOYMENT',
        user: { email: 'sam@example.com', fullName: 'Sam' },
      },
    });
    for (let i = 0; i < 200 && (await client.getDeployment(webProduction, id)).phase !== 'ERROR'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await client.getDeployment(webProduction, id)).phase).toBe('ERROR');
  });

  it('offers the same through its control API (for a sandbox in another process)', async () => {
    const res = await fetch(`${sim.url.replace('/v2', '')}/_sim/out-of-band`, {
      method: 'POST',
      body: JSON.stringify({ app_id: webStaging, via: 'console' }),
    });
    const body = (await res.json()) as { deployment_id: string };
    expect((await client.getDeployment(webStaging, body.deployment_id)).cause).toBe('manual');
  });
});
