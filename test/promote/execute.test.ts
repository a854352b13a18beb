import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { approvedFromBinding, executePromotion, verifyPromotion } from '../../handlers/promote/execute.js';
import { planPromotion } from '../../handlers/promote/plan.js';
import { DocksideError } from '../../src/errors.js';
import { createGitHubClient } from '../../src/github/client.js';
import { DIGEST, deployment, type FakeDo, MemoryLocks, SHA } from './fake-do.js';
import { clock, GITHUB, PRODUCTION, STAGING, stagingSpec, world } from './scenario.js';

const TOKEN = 'ghp_testtoken0000000000000000';
const github = () => createGitHubClient({ token: TOKEN, apiUrl: GITHUB });

function headAndCompare(head: string, status: string, times = 1) {
  nock(GITHUB)
    .get('/repos/acme/web/git/ref/heads/production')
    .times(times)
    .reply(200, { object: { sha: head } });
  nock(GITHUB).get(`/repos/acme/web/compare/${head}...${SHA.b}`).times(times).reply(200, { status });
}

async function planFor(fake: FakeDo) {
  return planPromotion({ do: fake, appName: 'web', from: STAGING, to: PRODUCTION, github: github(), clock });
}

async function rejection(promise: Promise<unknown>): Promise<DocksideError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DocksideError)) throw new Error(`expected a DocksideError, got ${String(err)}`);
  return err;
}

describe('executePromotion', () => {
  it('fast-forwards the branch (never forced) before deploying production with the digests', async () => {
    const { fake } = world();
    headAndCompare(SHA.a, 'ahead', 2);
    let patchBody: unknown;
    nock(GITHUB, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .patch('/repos/acme/web/git/refs/heads/production', (body) => {
        patchBody = body;
        return true;
      })
      .reply(200, () => {
        fake.calls.push('github PATCH');
        return { object: { sha: SHA.b } };
      });

    const plan = await planFor(fake);
    const approved = approvedFromBinding('web', plan.binding);
    const result = await executePromotion({ do: fake, github: github(), clock, plan: approved });

    expect(patchBody).toEqual({ sha: SHA.b, force: false });
    expect(fake.calls).toEqual(['github PATCH', `updateAppSpec ${PRODUCTION.appId}`]);
    expect(fake.specUpdates[0]?.spec.workers?.[0]?.image?.digest).toBe(DIGEST.y);
    expect(fake.specUpdates[0]?.spec.workers?.[0]?.image?.tag).toBeUndefined();
    expect(fake.specUpdates[0]?.updateAllSourceVersions).toBe(true);
    const prd = await fake.getApp(PRODUCTION.appId);
    expect(result.deploymentId).toBe(prd.inProgressDeployment?.id);
    expect(result.moved.map((m) => m.branch)).toEqual(['production']);
  });

  it('creates a plain deployment when only a git branch moves', async () => {
    const { fake } = world({ production: { worker: { digest: DIGEST.y } } });
    headAndCompare(SHA.a, 'ahead', 2);
    nock(GITHUB).patch('/repos/acme/web/git/refs/heads/production').reply(200, {});
    const plan = await planFor(fake);
    const result = await executePromotion({ do: fake, github: github(), clock, plan });
    expect(fake.calls).toEqual([`createDeployment ${PRODUCTION.appId}`]);
    expect(result.deploymentId).toBe((await fake.getApp(PRODUCTION.appId)).inProgressDeployment?.id);
  });

  it('refuses with approval_stale and deploys nothing when staging moved after the request', async () => {
    const { fake } = world();
    headAndCompare(SHA.a, 'ahead', 1); // only the request's plan may ask GitHub
    const plan = await planFor(fake);
    fake.push(
      STAGING.appId,
      deployment({ at: '2026-11-22T09:00:00Z', spec: stagingSpec(), commits: { web: SHA.c } }),
    );

    const err = await rejection(executePromotion({ do: fake, github: github(), clock, plan }));
    expect(err.code).toBe('approval_stale');
    expect(err.message).toBe(
      'Staging moved on since this was approved (now runs web commit c0ffee0, worker sha256:bbbbbbbbbbbb…, ' +
        'approved web commit 9a4df0b, worker sha256:bbbbbbbbbbbb…). Ask for a new /promote.',
    );
    expect(fake.calls).toEqual([]);
  });

  it('refuses with approval_stale when production deployed something else meanwhile', async () => {
    const { fake } = world();
    headAndCompare(SHA.a, 'ahead', 1);
    const plan = await planFor(fake);
    fake.push(PRODUCTION.appId, deployment({ at: '2026-11-22T09:05:00Z', spec: stagingSpec(), commits: {} }));
    const err = await rejection(executePromotion({ do: fake, github: github(), clock, plan }));
    expect(err.code).toBe('approval_stale');
    expect(err.message).toMatch(/^Production changed since this was approved \(active deployment now /);
    expect(fake.calls).toEqual([]);
  });

  it('refuses when the branch diverged between request and approval, moving and deploying nothing', async () => {
    const { fake } = world();
    headAndCompare(SHA.a, 'ahead', 1);
    const plan = await planFor(fake);
    headAndCompare(SHA.c, 'diverged', 1);
    const err = await rejection(executePromotion({ do: fake, github: github(), clock, plan }));
    expect(err.code).toBe('promote_not_possible');
    expect(err.message).toContain('has diverged');
    expect(fake.calls).toEqual([]);
  });

  it('refuses while production is locked, saying by whom and why', async () => {
    const { fake } = world();
    headAndCompare(SHA.a, 'ahead', 1);
    const plan = await planFor(fake);
    const locks = new MemoryLocks();
    await locks.lock({
      app: 'web',
      env: 'production',
      by: 'U0BOB',
      reason: 'incident 42',
      since: '2026-11-22T09:00:00Z',
    });
    const err = await rejection(executePromotion({ do: fake, github: github(), locks, clock, plan }));
    expect(err.code).toBe('env_locked');
    expect(err.message).toBe(
      'production of web is locked by <@U0BOB> since <!date^1795338000^{date_short_pretty} {time}|2026-11-22T09:00:00Z>: incident 42',
    );
    expect(fake.calls).toEqual([]);
  });
});

describe('verifyPromotion', () => {
  async function promoted() {
    const { fake } = world({ production: { worker: { digest: DIGEST.y } } });
    headAndCompare(SHA.a, 'ahead', 2);
    nock(GITHUB).patch('/repos/acme/web/git/refs/heads/production').reply(200, {});
    const plan = await planFor(fake);
    const { deploymentId } = await executePromotion({ do: fake, github: github(), clock, plan });
    return { fake, plan, deploymentId };
  }

  it('confirms production runs exactly the promoted commit and digest', async () => {
    const { fake, plan, deploymentId } = await promoted();
    fake.activate(PRODUCTION.appId, deploymentId, { web: SHA.b });
    const result = await verifyPromotion({ do: fake, appId: PRODUCTION.appId, deploymentId, plan });
    expect(result).toEqual({ ok: true, mismatches: [] });
  });

  it('lists what production runs instead when it is not the promoted build', async () => {
    const { fake, plan, deploymentId } = await promoted();
    // Someone pushed to the branch just before App Platform fetched it.
    fake.activate(PRODUCTION.appId, deploymentId, { web: SHA.c });
    const result = await verifyPromotion({
      do: fake,
      appId: PRODUCTION.appId,
      deploymentId,
      plan: { binding: plan.binding },
    });
    expect(result.ok).toBe(false);
    expect(result.mismatches).toEqual(['`web` runs commit c0ffee0 instead of the promoted commit 9a4df0b.']);
  });

  it('says so when the promotion deployment is not the active one', async () => {
    const { fake, plan, deploymentId } = await promoted();
    const result = await verifyPromotion({ do: fake, appId: PRODUCTION.appId, deploymentId, plan });
    expect(result.ok).toBe(false);
    expect(result.mismatches[0]).toContain(`not the promotion's ${deploymentId}`);
  });
});
