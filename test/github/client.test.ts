import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createGitHubClient, GitHubError, parseRepo } from '../../src/github/client.js';

const API = 'https://github.test/api/v3';
const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ';
const SHA = '9a4df0b1c2d3e4f5061728394a5b6c7d8e9f0a1b';
const repo = { owner: 'acme', name: 'web' };

async function failure(promise: Promise<unknown>): Promise<GitHubError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GitHubError)) throw new Error(`expected a GitHubError, got ${String(err)}`);
  return err;
}

describe('GitHub client', () => {
  it('reads a branch head with the token, also for branch names with slashes', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/repos/acme/web/git/ref/heads/release/2026-11')
      .reply(200, { ref: 'refs/heads/release/2026-11', object: { sha: SHA, type: 'commit' } });
    const gh = createGitHubClient({ token: TOKEN, apiUrl: `${API}/` });
    expect(await gh.getBranchHead(repo, 'release/2026-11')).toBe(SHA);
    expect(gh.canWrite).toBe(true);
  });

  it('reads without an Authorization header when there is no token', async () => {
    nock(API, { badheaders: ['authorization'] })
      .get('/repos/acme/web/git/ref/heads/main')
      .reply(200, { object: { sha: SHA } });
    const gh = createGitHubClient({ apiUrl: API });
    expect(await gh.getBranchHead(repo, 'main')).toBe(SHA);
    expect(gh.canWrite).toBe(false);
  });

  it('compares two commits', async () => {
    nock(API)
      .get(`/repos/acme/web/compare/1a2b3c4...${SHA}`)
      .reply(200, { status: 'ahead', ahead_by: 4, behind_by: 0, commits: [] });
    const gh = createGitHubClient({ token: TOKEN, apiUrl: API });
    expect(await gh.compare(repo, '1a2b3c4', SHA)).toEqual({ status: 'ahead', aheadBy: 4, behindBy: 0 });
  });

  it('fast-forwards with force: false', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .patch('/repos/acme/web/git/refs/heads/production', { sha: SHA, force: false })
      .reply(200, { object: { sha: SHA } });
    await createGitHubClient({ token: TOKEN, apiUrl: API }).fastForward(repo, 'production', SHA);
  });

  it('reports a refused non-fast-forward update in plain words', async () => {
    nock(API)
      .patch('/repos/acme/web/git/refs/heads/production')
      .reply(422, { message: 'Update is not a fast forward' });
    const err = await failure(
      createGitHubClient({ token: TOKEN, apiUrl: API }).fastForward(repo, 'production', SHA),
    );
    expect(err.code).toBe('promote_not_possible');
    expect(err.status).toBe(422);
    expect(err.message).toBe(
      'GitHub refused to move branch `production` of acme/web to 9a4df0b: it is not a fast-forward.',
    );
  });

  it('never puts the token in an error, even when GitHub echoes it', async () => {
    nock(API)
      .get('/repos/acme/web/git/ref/heads/main')
      .reply(401, { message: `Bad credentials for ${TOKEN}` });
    const err = await failure(createGitHubClient({ token: TOKEN, apiUrl: API }).getBranchHead(repo, 'main'));
    expect(err.status).toBe(401);
    expect(err.message).toContain('HTTP 401');
    expect(`${err.message} ${err.hint}`).not.toContain(TOKEN);
    expect(err.hint).toContain('invalid or expired');
  });

  it('without a token, refuses to write and says how to allow it', async () => {
    const err = await failure(createGitHubClient({ apiUrl: API }).fastForward(repo, 'production', SHA));
    expect(err.message).toBe(
      'dockside has no GitHub token, so it cannot move branch `production` of acme/web to 9a4df0b.',
    );
    expect(err.hint).toContain('github.token');
  });

  it('says GitHub could not be reached on a network failure', async () => {
    nock(API).get('/repos/acme/web/git/ref/heads/main').replyWithError('connect ECONNREFUSED');
    const err = await failure(createGitHubClient({ apiUrl: API }).getBranchHead(repo, 'main'));
    expect(err.message).toBe('GitHub could not be reached while trying to read branch `main` of acme/web.');
  });
});

describe('parseRepo', () => {
  it('reads owner/name as App Platform stores it', () => {
    expect(parseRepo('acme/web')).toEqual({ owner: 'acme', name: 'web' });
    expect(parseRepo('acme/web.git')).toEqual({ owner: 'acme', name: 'web' });
  });

  it('refuses anything else', () => {
    expect(() => parseRepo('https://github.com/acme/web')).toThrow(/not a GitHub repository name/);
    expect(() => parseRepo('web')).toThrow(/owner\/name/);
  });
});
