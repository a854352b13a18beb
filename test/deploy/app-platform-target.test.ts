import { describe, expect, it } from 'vitest';
import { createAppPlatformTarget } from '../../handlers/deploy/app-platform-target.js';
import { createDeployTargets, type TargetRunDeps } from '../../handlers/deploy/targets.js';
import { sleep, systemClock } from '../../src/clock.js';
import { createDoClient } from '../../src/do/client.js';
import { createDropletApi } from '../../src/do/droplets.js';
import type { AppSpec, Deployment, DeploymentPhase, DoClient } from '../../src/do/port.js';
import { DEMO_WORKER_DIGEST, startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { makeConfig, silentLog } from '../backup/helpers.js';
import { deployment as bare, fakeAppsDo } from '../health/helpers.js';
import { unreachableDroplets } from '../helpers/droplets-config.js';
import { testRedis } from '../helpers/redis.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'e'.repeat(64)}`;
const spec = (digest: string): AppSpec => ({
  name: 'web',
  services: [{ name: 'api', github: { repo: 'acme/web', branch: 'main' } }],
  workers: [{ name: 'jobs', image: { registry_type: 'GHCR', registry: 'acme', repository: 'jobs', digest } }],
});
function deployment(
  id: string,
  phase: DeploymentPhase,
  commit: string,
  digest: string,
  cause = 'manual',
): Deployment {
  return {
    ...bare(id, phase, '2026-11-05T08:00:00Z'),
    cause,
    components: [{ name: 'api', sourceCommitHash: commit }],
    spec: spec(digest),
  };
}
const active = deployment('dep-2', 'ACTIVE', '9a4df0b1c2d3e4f5', DIGEST);
const history = [
  active,
  deployment('dep-1', 'SUPERSEDED', '1111111aaaaaaa', OLD_DIGEST),
  deployment('dep-0', 'ERROR', '2222222bbbbbbb', OLD_DIGEST, 'commit 2222222 <!channel> pushed'),
];
function fakeDo(overrides: Partial<DoClient> = {}): DoClient {
  return {
    ...fakeAppsDo(
      { 'app-1': { activeDeployment: active } },
      { 'app-1': [{ name: 'api', state: 'HEALTHY', replicasDesired: 1, replicasReady: 1 }] },
    ),
    listDeployments: async (_id, options) => history.slice(0, options?.perPage ?? 20),
    ...overrides,
  };
}
const target = (client: DoClient = fakeDo()) =>
  createAppPlatformTarget(
    { do: client, healthTimeoutMs: 200 },
    { app: 'web', env: 'production', appId: 'app-1' },
  );

describe('App Platform as a deploy target', () => {
  it('names what the active deployment runs: the commit of a git component, the digest of an image', async () => {
    expect(await target().currentRelease()).toEqual({
      id: 'dep-2',
      services: [
        { service: 'api', image: 'acme/web', digest: '9a4df0b1c2d3e4f5', tag: 'main', source: 'git' },
        { service: 'jobs', image: 'ghcr.io/acme/jobs', digest: DIGEST, source: 'image' },
      ],
    });
  });

  it('lists recent deployments as release records, newest first, with how each ended', async () => {
    const records = await target().releases(3);
    expect(records.map((r) => [r.id, r.outcome, r.services[0]?.digest])).toEqual([
      ['dep-2', 'succeeded', '9a4df0b1c2d3e4f5'],
      ['dep-1', 'succeeded', '1111111aaaaaaa'],
      ['dep-0', 'failed', '2222222bbbbbbb'],
    ]);
    expect(records[2]?.failure?.reason).toContain('ERROR');
  });

  it('plans a release against what runs and describes it with hostile text escaped', async () => {
    const t = target();
    const plan = await t.planRelease(
      {
        id: 'dep-1',
        services: [
          { service: 'api', image: 'acme/web', digest: '', tag: '<!here>', source: 'git' },
          { service: 'jobs', image: 'ghcr.io/acme/jobs', digest: DIGEST, source: 'image' },
        ],
      },
      'rollback',
    );
    expect(plan.binding).toMatchObject({ current: 'dep-2', release: 'dep-1' });
    const card = t.describe(plan);
    expect(card.title).toBe('Roll back web production');
    expect(card.lines).toEqual([
      'api: commit 9a4df0b → branch &lt;!here&gt;',
      'jobs: sha256:dddddddddddd… (unchanged)',
    ]);
  });

  it('reports health from DigitalOcean, and says unknown (not bad) when DO does not answer in time', async () => {
    const good = await target().health();
    expect(good.state).toBe('good');
    expect(good.platform?.app?.activeDeployment?.id).toBe('dep-2');
    const slow = await target(fakeDo({ getApp: () => sleep(1000).then(() => ({}) as never) })).health();
    expect(slow.platform?.appError).toBe('DO: DigitalOcean did not answer within 200 ms');
    // Components answered HEALTHY, but what the app runs is not known: unknown, never good.
    expect(slow.state).toBe('unknown');
    const failing = await target(
      fakeDo({
        getApp: async () => ({
          id: 'app-1',
          name: 'web',
          spec: spec(DIGEST),
          activeDeployment: { ...active, phase: 'ERROR' },
        }),
      }),
    ).health();
    expect(failing.state).toBe('bad');
  });
});

describe('targets.get', () => {
  const { redis } = testRedis('aptarget');
  const config = makeConfig({
    apps: {
      web: { environments: { staging: { app_id: '6f0e2c4a-1b2c-4d5e-8f90-123456789abc' } } },
      api: {
        environments: {
          staging: {
            droplets: unreachableDroplets,
          },
        },
      },
    },
  });
  const targets = createDeployTargets({
    config,
    redis,
    droplets: createDropletApi({ token: 't', endpoint: 'http://127.0.0.1:9/v2' }),
    do: fakeDo(),
    log: silentLog,
    clock: systemClock,
    sleep,
    probeHealth: async () => ({ name: 'http', state: 'good', detail: 'ok' }),
    // Reads only: nothing here may run an action.
    runs: {} as TargetRunDeps,
  });

  it('gives each env the target of its kind, built once, and refuses an env not in the config', () => {
    const web = targets.get('web', 'staging');
    expect([web.kind, web.app, web.env]).toEqual(['app_platform', 'web', 'staging']);
    expect(targets.get('web', 'staging')).toBe(web);
    expect(targets.get('api', 'staging').kind).toBe('droplets');
    expect(() => targets.get('web', 'qa')).toThrow(expect.objectContaining({ code: 'unknown_env' }));
  });
});

describe('App Platform target against the DigitalOcean simulator', () => {
  it('reads what web staging runs through the real client: the built commit and the worker digest', async () => {
    const sim = await startDoSimulator({ phaseDelayMs: 5 });
    try {
      const ids = sim.seedDemo();
      const client = createDoClient({
        token: sim.token,
        endpoint: sim.url,
        retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      });
      const t = createAppPlatformTarget(
        { do: client },
        { app: 'web', env: 'staging', appId: ids.apps.webStaging },
      );
      const active = (await client.getApp(ids.apps.webStaging)).activeDeployment!;
      const release = await t.currentRelease();
      expect(release?.id).toBe(active.id);
      expect(release?.services).toEqual([
        {
          service: 'web',
          image: 'acme/web',
          digest: active.components.find((c) => c.name === 'web')?.sourceCommitHash,
          tag: 'main',
          source: 'git',
        },
        { service: 'worker', image: 'ghcr.io/acme/web-worker', digest: DEMO_WORKER_DIGEST, source: 'image' },
      ]);
      expect(release?.services[0]?.digest).toMatch(/^[0-9a-f]{7,40}$/);
      const records = await t.releases(5);
      expect(records[0]).toMatchObject({ id: active.id, outcome: 'succeeded' });
      expect((await t.health()).state).toBe('good');
    } finally {
      await sim.close();
    }
  });
});
