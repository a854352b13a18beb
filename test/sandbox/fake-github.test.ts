import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient, GitHubError } from '../../src/github/client.js';
import { DEMO_IDS, type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';

const { webStaging, webProduction } = DEMO_IDS.apps;
const WEB = { owner: 'acme', name: 'web' };
const sha = (n: number) => n.toString(16).padStart(40, 'c');

let sim: DoSimulator;
let github: GitHubClient;

beforeEach(async () => {
  sim = await startDoSimulator({ phaseDelayMs: 10 });
  sim.seedDemo();
  github = createGitHubClient({ token: sim.githubToken, apiUrl: sim.githubUrl, timeoutMs: 2000 });
});

afterEach(async () => {
  await sim.close();
});

async function refusal(promise: Promise<unknown>): Promise<GitHubError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GitHubError)) throw new Error(`expected a GitHubError, got ${String(err)}`);
  return err;
}

const deploymentsOf = (appId: string) => sim.app(appId);
const deploymentCount = async (appId: string) => {
  const res = await fetch(`${sim.url}/apps/${appId}/deployments?per_page=200`, {
    headers: { authorization: `Bearer ${sim.token}` },
  });
  return ((await res.json()) as { deployments: unknown[] }).deployments.length;
};

describe('fake GitHub over the simulator branches', () => {
  it('seeds production as an ancestor of main, the commits staging and production run', async () => {
    const main = await github.getBranchHead(WEB, 'main');
    const production = await github.getBranchHead(WEB, 'production');
    // What the seeded apps run is what the branches point at.
    expect(deploymentsOf(webStaging).active_deployment?.services[0]).toEqual({
      name: 'web',
      source_commit_hash: main,
    });
    expect(deploymentsOf(webProduction).active_deployment?.services[0]).toEqual({
      name: 'web',
      source_commit_hash: production,
    });
    expect(await github.compare(WEB, production, main)).toEqual({ status: 'ahead', aheadBy: 3, behindBy: 0 });
    expect(await github.compare(WEB, main, production)).toEqual({
      status: 'behind',
      aheadBy: 0,
      behindBy: 3,
    });
    expect(await github.compare(WEB, 'production', main.slice(0, 7))).toEqual({
      status: 'ahead',
      aheadBy: 3,
      behindBy: 0,
    });
    expect(await github.compare(WEB, main, main)).toEqual({ status: 'identical', aheadBy: 0, behindBy: 0 });
    expect(sim.history('acme/web', 'main').map((c) => c.sha)).toContain(production);
  });

  it("answers GitHub's ref and compare shapes", async () => {
    const production = sim.branchHead('acme/web', 'production') ?? '';
    const auth = { headers: { authorization: `Bearer ${sim.githubToken}` } };
    const ref = await fetch(`${sim.githubUrl}/repos/acme/web/git/ref/heads/production`, auth);
    expect(ref.status).toBe(200);
    expect(await ref.json()).toMatchObject({
      ref: 'refs/heads/production',
      object: { sha: production, type: 'commit' },
    });
    const cmp = await fetch(`${sim.githubUrl}/repos/acme/web/compare/production...main`, auth);
    const body = (await cmp.json()) as {
      status: string;
      total_commits: number;
      merge_base_commit: { sha: string };
      commits: Array<{ sha: string; parents: Array<{ sha: string }>; commit: { message: string } }>;
    };
    expect(body.status).toBe('ahead');
    expect(body.total_commits).toBe(3);
    expect(body.merge_base_commit.sha).toBe(production);
    // Oldest first, each the child of the one before, the first a child of production.
    expect(body.commits[0]?.parents[0]?.sha).toBe(production);
    expect(body.commits[1]?.parents[0]?.sha).toBe(body.commits[0]?.sha);
    expect(body.commits.at(-1)?.sha).toBe(sim.branchHead('acme/web', 'main'));
    expect(body.commits[0]?.commit.message).toBe('Show delivery dates in the cart');
  });

  it('answers 404 for a branch or repository that does not exist', async () => {
    expect((await refusal(github.getBranchHead(WEB, 'nope'))).status).toBe(404);
    expect((await refusal(github.getBranchHead({ owner: 'acme', name: 'ghost' }, 'main'))).status).toBe(404);
    expect((await refusal(github.compare(WEB, 'main', sha(1)))).status).toBe(404);
  });

  it('appends each push as a child of the previous head', async () => {
    const before = sim.branchHead('acme/web', 'main');
    const pushed = sim.pushCommit({ repo: 'acme/web', branch: 'main', message: 'Add invoices' });
    const [head, parent] = sim.history('acme/web', 'main');
    expect(head).toMatchObject({ sha: pushed, parents: [before], message: 'Add invoices' });
    expect(parent?.sha).toBe(before);
    expect(await github.getBranchHead(WEB, 'main')).toBe(pushed);
  });

  it('fast-forwards production without deploying it (production does not deploy on push)', async () => {
    const main = sim.branchHead('acme/web', 'main') ?? '';
    const prodDeployments = await deploymentCount(webProduction);
    await github.fastForward(WEB, 'production', main);
    expect(sim.branchHead('acme/web', 'production')).toBe(main);
    expect(await github.compare(WEB, 'production', 'main')).toMatchObject({ status: 'identical' });
    expect(sim.githubRequests({ method: 'PATCH' })).toHaveLength(1);
    expect(sim.githubRequests({ method: 'PATCH' })[0]).toMatchObject({
      route: '/repos/:owner/:repo/git/refs/heads/:branch',
      body: { sha: main, force: false },
      status: 200,
    });
    // A push starts its deployments inside the PATCH it answers, so none can come later.
    expect(await deploymentCount(webProduction)).toBe(prodDeployments);
    expect(sim.app(webProduction).in_progress_deployment).toBeUndefined();
    // Moving a branch adds no commit.
    expect(sim.history('acme/web', 'production').map((c) => c.sha)).toEqual(
      sim.history('acme/web', 'main').map((c) => c.sha),
    );
  });

  it('deploys apps that deploy on push when a PATCH moves their branch', async () => {
    const main = sim.branchHead('acme/web', 'main') ?? '';
    // A feature branch cut from main, with one commit on top.
    sim.pushCommit({ repo: 'acme/web', branch: 'feature/cart', sha: main });
    const next = sim.pushCommit({ repo: 'acme/web', branch: 'feature/cart', message: 'Cart v2' });
    expect(sim.app(webStaging).in_progress_deployment).toBeUndefined();
    await github.fastForward(WEB, 'main', next);
    const started = sim.app(webStaging).in_progress_deployment ?? sim.app(webStaging).pending_deployment;
    expect(started?.cause).toBe(`commit ${next.slice(0, 7)} pushed to github.com/acme/web/tree/main`);
    expect(started?.services[0]).toEqual({ name: 'web', source_commit_hash: next });
    // A commit with no history in common (a new orphan branch) is not a fast-forward.
    const orphan = sim.pushCommit({ repo: 'acme/web', branch: 'orphan', message: 'Unrelated' });
    expect(await github.compare(WEB, 'main', orphan)).toEqual({
      status: 'diverged',
      aheadBy: 1,
      behindBy: 7,
    });
    expect((await refusal(github.fastForward(WEB, 'main', orphan))).status).toBe(422);
    expect(sim.branchHead('acme/web', 'main')).toBe(next);
  });

  it('refuses a non-fast-forward with 422 and leaves the branch where it was', async () => {
    const main = sim.branchHead('acme/web', 'main') ?? '';
    const hotfix = sim.pushCommit({
      repo: 'acme/web',
      branch: 'production',
      message: 'Hotfix on production',
    });
    expect(await github.compare(WEB, hotfix, main)).toEqual({ status: 'diverged', aheadBy: 3, behindBy: 1 });
    const err = await refusal(github.fastForward(WEB, 'production', main));
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/not a fast-forward/);
    expect(sim.branchHead('acme/web', 'production')).toBe(hotfix);
    // Going back is not a fast-forward either.
    const older = sim.history('acme/web', 'main')[1]?.sha ?? '';
    expect((await refusal(github.fastForward(WEB, 'main', older))).status).toBe(422);
    expect(sim.branchHead('acme/web', 'main')).toBe(main);
  });

  it('requires a token to move a branch, and knows only real commits', async () => {
    const main = sim.branchHead('acme/web', 'main') ?? '';
    const production = sim.branchHead('acme/web', 'production');
    const patch = (headers: Record<string, string>, body: unknown) =>
      fetch(`${sim.githubUrl}/repos/acme/web/git/refs/heads/production`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const anonymous = await patch({}, { sha: main, force: false });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ message: 'Requires authentication' });
    expect(sim.branchHead('acme/web', 'production')).toBe(production);

    const unknown = await patch(
      { authorization: `Bearer ${sim.githubToken}` },
      { sha: sha(7), force: false },
    );
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ message: 'Object does not exist' });
    const noBranch = await fetch(`${sim.githubUrl}/repos/acme/web/git/refs/heads/nope`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sim.githubToken}` },
      body: JSON.stringify({ sha: main }),
    });
    expect(noBranch.status).toBe(422);
    expect(sim.branchHead('acme/web', 'production')).toBe(production);
  });

  it('accepts only the configured token when one is set', async () => {
    const strict = await startDoSimulator({ phaseDelayMs: 10, githubToken: 'right' });
    try {
      strict.seedDemo();
      const main = strict.branchHead('acme/web', 'main') ?? '';
      const wrong = createGitHubClient({ token: 'wrong', apiUrl: strict.githubUrl });
      const err = await refusal(wrong.fastForward(WEB, 'production', main));
      expect(err.status).toBe(401);
      await createGitHubClient({ token: 'right', apiUrl: strict.githubUrl }).fastForward(
        WEB,
        'production',
        main,
      );
      expect(strict.branchHead('acme/web', 'production')).toBe(main);
    } finally {
      await strict.close();
    }
  });

  it('treats the repositories as private: no token reads nothing, a wrong one is bad credentials', async () => {
    const url = `${sim.githubUrl}/repos/acme/web/git/ref/heads/main`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(404);
    expect(await anonymous.json()).toMatchObject({ message: 'Not Found' });
    const wrong = await fetch(url, { headers: { authorization: 'Bearer ghp_wrong' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'Bad credentials' });
    const err = await refusal(
      createGitHubClient({ token: 'ghp_wrong', apiUrl: sim.githubUrl }).getBranchHead(WEB, 'main'),
    );
    expect(err.hint).toBe('The GitHub token in dockside.yml is invalid or expired; replace it.');
  });

  it('refuses to move a protected branch, and dockside says so with what to do', async () => {
    // Through the control API, as a sandbox in another process would.
    const control = await fetch(sim.url.replace('/v2', '/_sim/protect-branch'), {
      method: 'POST',
      body: JSON.stringify({ repo: 'acme/web', branch: 'production' }),
    });
    expect(control.status).toBe(200);
    const production = sim.branchHead('acme/web', 'production');
    const main = sim.branchHead('acme/web', 'main') ?? '';
    const raw = await fetch(`${sim.githubUrl}/repos/acme/web/git/refs/heads/production`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sim.githubToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sha: main, force: false }),
    });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({
      message: 'Protected branch update failed for refs/heads/production.',
    });
    const err = await refusal(github.fastForward(WEB, 'production', main));
    expect(err.status).toBe(422);
    expect(err.message).toBe(
      `GitHub refused to move branch \`production\` of acme/web to ${main.slice(0, 7)}: the branch is protected.`,
    );
    expect(err.hint).toMatch(/^Let dockside's token bypass the branch protection/);
    expect(sim.branchHead('acme/web', 'production')).toBe(production);
  });

  it('serves injected faults on GitHub routes', async () => {
    sim.injectFault({ route: 'GET /github/repos/:owner/:repo/git/ref/heads/:branch', status: 502 });
    expect((await refusal(github.getBranchHead(WEB, 'main'))).status).toBe(502);
    expect(await github.getBranchHead(WEB, 'main')).toBe(sim.branchHead('acme/web', 'main'));
  });
});
