import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { planPromotion } from '../../handlers/promote/plan.js';
import { createGitHubClient } from '../../src/github/client.js';
import { describeChange, describePlan } from '../../src/render/promote.js';
import { DIGEST, deployment, SHA } from './fake-do.js';
import { clock, GITHUB, PRODUCTION, STAGING, stagingSpec, world } from './scenario.js';

const withToken = () => createGitHubClient({ token: 'ghp_testtoken0000000000000000', apiUrl: GITHUB });
const withoutToken = () => createGitHubClient({ apiUrl: GITHUB });

function branchHead(sha: string) {
  return nock(GITHUB).get('/repos/acme/web/git/ref/heads/production').reply(200, { object: { sha } });
}

describe('planPromotion', () => {
  it('shows per-component differences, staging age, and pins images by digest in the new spec', async () => {
    const { fake, stagingActive, productionActive } = world();
    branchHead(SHA.a);
    nock(GITHUB)
      .get(`/repos/acme/web/compare/${SHA.a}...${SHA.b}`)
      .reply(200, { status: 'ahead', ahead_by: 3, behind_by: 0 });

    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withToken(),
      clock,
    });

    expect(plan.blockers).toEqual([]);
    expect(plan.nothingToDo).toBe(false);
    const lines = describePlan(plan);
    expect(lines).toContain('web: commit 1a2b3c4 -> 9a4df0b');
    expect(lines).toContain('worker: ghcr.io/acme/worker@sha256:aaaaaaaaaaaa… -> sha256:bbbbbbbbbbbb…');
    expect(lines).toContain('staging has been ACTIVE for 3 h 12 min');
    expect(lines).toContain('- move branch `production` of acme/web from 1a2b3c4 to 9a4df0b (fast-forward)');

    expect(plan.deploy.kind).toBe('update_spec');
    if (plan.deploy.kind !== 'update_spec') return;
    const worker = plan.deploy.spec.workers?.[0];
    expect(worker?.image).toEqual({
      registry_type: 'GHCR',
      registry: 'acme',
      repository: 'worker',
      digest: DIGEST.y,
    });
    expect(worker?.instance_count).toBe(2);
    expect(plan.deploy.spec.domains).toEqual([{ domain: 'example.com' }]);
    expect(plan.deploy.spec.services?.[0]?.github?.branch).toBe('production');
    expect(plan.deploy.updateAllSourceVersions).toBe(true);

    expect(plan.binding).toMatchObject({
      from_app_id: STAGING.appId,
      from_deployment_id: stagingActive.id,
      to_app_id: PRODUCTION.appId,
      to_deployment_id: productionActive.id,
      'component:web': `git:${SHA.b}`,
      'component:worker': `image:${DIGEST.y}`,
    });
  });

  it('replaces a production image tag with the staging digest (App Platform takes one or the other)', async () => {
    const { fake } = world({ production: { web: SHA.b, worker: { tag: '1.4' } } });
    branchHead(SHA.b);
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withoutToken(),
      clock,
    });
    expect(plan.blockers).toEqual([]);
    expect(plan.components.map(describeChange)).toEqual([
      'web: commit 9a4df0b (unchanged)',
      'worker: ghcr.io/acme/worker:1.4 (tag) -> sha256:bbbbbbbbbbbb…',
    ]);
    expect(plan.deploy).toMatchObject({ kind: 'update_spec', updateAllSourceVersions: false });
    if (plan.deploy.kind !== 'update_spec') return;
    expect(plan.deploy.spec.workers?.[0]?.image).toEqual({
      registry_type: 'GHCR',
      registry: 'acme',
      repository: 'worker',
      digest: DIGEST.y,
    });
  });

  it('turns autodeploy off for an image it pins by digest, and says so in the plan', async () => {
    // App Platform autodeploys only an image given by tag: a digest with deploy_on_push on is refused.
    const { fake } = world({
      production: { web: SHA.b, worker: { tag: '1.4', deploy_on_push: { enabled: true } } },
    });
    branchHead(SHA.b);
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withoutToken(),
      clock,
    });
    if (plan.deploy.kind !== 'update_spec') throw new Error('expected a spec update');
    expect(plan.deploy.spec.workers?.[0]?.image).toEqual({
      registry_type: 'GHCR',
      registry: 'acme',
      repository: 'worker',
      digest: DIGEST.y,
      deploy_on_push: { enabled: false },
    });
    expect(plan.deploy.autodeployOff).toEqual(['worker']);
    expect(describePlan(plan).join('\n')).toContain(
      '- turn off autodeploy (deploy_on_push) for `worker` in production: App Platform autodeploys only images given by tag, not by digest',
    );
  });

  it('says there is nothing to promote when production already runs the same builds', async () => {
    const { fake } = world({ production: { web: SHA.b, worker: { digest: DIGEST.y } } });
    const plan = await planPromotion({ do: fake, appName: 'web', from: STAGING, to: PRODUCTION, clock });
    expect(plan.nothingToDo).toBe(true);
    expect(plan.components.map(describeChange)).toEqual([
      'web: commit 9a4df0b (unchanged)',
      'worker: ghcr.io/acme/worker@sha256:bbbbbbbbbbbb… (unchanged)',
    ]);
    expect(describePlan(plan).at(-1)).toBe(
      'Nothing to promote: production already runs exactly what staging runs.',
    );
  });

  it('refuses a staging image that runs by tag and says to deploy staging by digest', async () => {
    const { fake } = world({ staging: { worker: { tag: 'latest' } } });
    const plan = await planPromotion({ do: fake, appName: 'web', from: STAGING, to: PRODUCTION, clock });
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0]).toContain('ghcr.io/acme/worker:latest (tag)');
    expect(plan.blockers[0]).toContain('Deploy staging by digest');
  });

  it('refuses to move a branch that production deploys on push, saying what to change', async () => {
    const { fake } = world();
    // Someone turned autodeploy on for production (in its spec, and so in its active deployment's).
    const production = fake.apps.get(PRODUCTION.appId)?.app;
    for (const spec of [production?.spec, production?.activeDeployment?.spec]) {
      const web = spec?.services?.[0]?.github;
      if (!web) throw new Error('no production web component');
      web.deploy_on_push = true;
    }
    branchHead(SHA.a);
    nock(GITHUB)
      .get(`/repos/acme/web/compare/${SHA.a}...${SHA.b}`)
      .reply(200, { status: 'ahead', ahead_by: 3, behind_by: 0 });
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withToken(),
      clock,
    });
    expect(plan.blockers).toEqual([
      "web production's `web` deploys on push, so moving its branch would deploy the old spec by itself alongside the promotion. " +
        'Turn off "Autodeploy" (deploy_on_push) for `web` in production\'s App Platform spec; promotions deploy it.',
    ]);
  });

  it('without a token, deploys when the production branch already points at staging commit', async () => {
    const { fake } = world({ production: { worker: { digest: DIGEST.y } } });
    branchHead(SHA.b);
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withoutToken(),
      clock,
    });
    expect(plan.blockers).toEqual([]);
    expect(plan.branchMoves).toMatchObject([{ branch: 'production', action: 'already_there' }]);
    expect(plan.deploy).toEqual({ kind: 'create_deployment' });
  });

  it('without a token, says exactly which branch to move to which commit', async () => {
    const { fake } = world({ production: { worker: { digest: DIGEST.y } } });
    branchHead(SHA.a);
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withoutToken(),
      clock,
    });
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0]).toContain(
      'Move branch `production` of acme/web from 1a2b3c4 to 9a4df0b (`git push origin 9a4df0b1c2d3e4f5061728394a5b6c7d8e9f0a1b:refs/heads/production`), then run /promote web again.',
    );
  });

  it('without a token on a private repository, says how to get going', async () => {
    const { fake } = world({ production: { worker: { digest: DIGEST.y } } });
    nock(GITHUB).get('/repos/acme/web/git/ref/heads/production').reply(404, { message: 'Not Found' });
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withoutToken(),
      clock,
    });
    expect(plan.blockers[0]).toMatch(/cannot read branch `production` of acme\/web without a GitHub token/);
    expect(plan.blockers[0]).toContain('Add `github.token` to dockside.yml');
  });

  it('refuses a production branch that diverged from staging commit', async () => {
    const { fake } = world();
    branchHead(SHA.c);
    nock(GITHUB)
      .get(`/repos/acme/web/compare/${SHA.c}...${SHA.b}`)
      .reply(200, { status: 'diverged', ahead_by: 2, behind_by: 1 });
    const plan = await planPromotion({
      do: fake,
      appName: 'web',
      from: STAGING,
      to: PRODUCTION,
      github: withToken(),
      clock,
    });
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0]).toMatch(/has diverged from staging's 9a4df0b: moving it is not a fast-forward/);
    expect(describePlan(plan)).toContain('Cannot promote:');
  });

  it('refuses when the two apps do not have the same components', async () => {
    const { fake } = world();
    const spec = stagingSpec();
    spec.workers = [];
    spec.jobs = [
      { name: 'migrate', image: { registry_type: 'GHCR', repository: 'migrate', digest: DIGEST.z } },
    ];
    fake.push(STAGING.appId, deployment({ at: '2026-11-22T07:00:00Z', spec, commits: { web: SHA.b } }));
    const plan = await planPromotion({ do: fake, appName: 'web', from: STAGING, to: PRODUCTION, clock });
    expect(plan.blockers).toEqual([
      expect.stringContaining("staging runs `migrate`, which production's spec does not have"),
      expect.stringContaining('production has `worker`, which staging does not run'),
    ]);
  });

  it('refuses while production is pinned to a rollback', async () => {
    const { fake, productionActive } = world();
    const prd = fake.apps.get(PRODUCTION.appId);
    if (prd) prd.app.pinnedDeployment = productionActive;
    const plan = await planPromotion({ do: fake, appName: 'web', from: STAGING, to: PRODUCTION, clock });
    expect(plan.blockers[0]).toContain('pinned to rollback deployment');
    expect(plan.blockers[0]).toContain('/rollback web production');
  });
});
