import { DocksideError } from '../errors.js';
import { escapeText } from '../render/format.js';
import { scrub } from '../secrets.js';

/**
 * The three GitHub calls /promote needs to move a production branch onto staging's
 * commit. Plain fetch: the surface is tiny and a full SDK would hide the one rule
 * that matters here, that a ref update is never forced.
 */

export interface RepoRef {
  owner: string;
  name: string;
}

/** GitHub's compare status, read as "head is <status> of base". */
export type CompareStatus = 'ahead' | 'behind' | 'identical' | 'diverged';

export interface CompareResult {
  status: CompareStatus;
  aheadBy: number;
  behindBy: number;
}

export interface GitHubClient {
  /** False without a token: reads still work on public repositories, writes never do. */
  readonly canWrite: boolean;
  getBranchHead(repo: RepoRef, branch: string): Promise<string>;
  compare(repo: RepoRef, base: string, head: string): Promise<CompareResult>;
  /** Moves `branch` to `sha` only if that is a fast-forward (GitHub answers 422 otherwise). */
  fastForward(repo: RepoRef, branch: string, sha: string): Promise<void>;
}

/** An HTTP failure from GitHub; `status` lets callers tell "not found" from "not a fast-forward". */
export class GitHubError extends DocksideError {
  readonly status: number;

  constructor(status: number, message: string, hint?: string) {
    super('promote_not_possible', message, hint === undefined ? {} : { hint });
    this.name = 'GitHubError';
    this.status = status;
  }
}

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** App Platform's github source names the repository as `owner/name`. */
export function parseRepo(repo: string): RepoRef {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?$/.exec(repo.trim());
  if (!match) {
    throw new DocksideError(
      'promote_not_possible',
      `"${repo}" is not a GitHub repository name of the form owner/name.`,
    );
  }
  return { owner: match[1]!, name: match[2]! };
}

export function repoName(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}

export interface GitHubClientOptions {
  token?: string;
  apiUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface RefResponse {
  object?: { sha?: unknown };
}

interface CompareResponse {
  status?: unknown;
  ahead_by?: unknown;
  behind_by?: unknown;
}

const STATUSES: ReadonlySet<string> = new Set(['ahead', 'behind', 'identical', 'diverged']);

export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const base = (options.apiUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const token = options.token;

  async function call(method: 'GET' | 'PATCH', path: string, what: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'dockside',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      const problem = timedOut ? `did not answer within ${timeoutMs / 1000} s` : 'could not be reached';
      // A PATCH that timed out may still have been applied; the next plan reads the branch again.
      throw new GitHubError(0, `GitHub ${problem} while trying to ${what}.`, 'Try again in a minute.');
    }
    if (res.ok) return res.json();
    throw await toError(res, what, token !== undefined);
  }

  const repoPath = (repo: RepoRef): string =>
    `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  // Branch names may contain "/" and GitHub's ref endpoints take them unencoded.
  const refPath = (branch: string): string => branch.split('/').map(encodeURIComponent).join('/');

  return {
    canWrite: token !== undefined && token.length > 0,

    async getBranchHead(repo, branch) {
      const what = `read branch \`${branch}\` of ${repoName(repo)}`;
      const data = (await call(
        'GET',
        `${repoPath(repo)}/git/ref/heads/${refPath(branch)}`,
        what,
      )) as RefResponse;
      const sha = data.object?.sha;
      if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
        throw new GitHubError(200, `GitHub answered without a commit when asked to ${what}.`);
      }
      return sha;
    },

    async compare(repo, baseRef, headRef) {
      const what = `compare ${short(baseRef)}...${short(headRef)} in ${repoName(repo)}`;
      const path = `${repoPath(repo)}/compare/${encodeURIComponent(baseRef)}...${encodeURIComponent(headRef)}`;
      const data = (await call('GET', path, what)) as CompareResponse;
      if (typeof data.status !== 'string' || !STATUSES.has(data.status)) {
        throw new GitHubError(200, `GitHub answered without a status when asked to ${what}.`);
      }
      return {
        status: data.status as CompareStatus,
        aheadBy: typeof data.ahead_by === 'number' ? data.ahead_by : 0,
        behindBy: typeof data.behind_by === 'number' ? data.behind_by : 0,
      };
    },

    async fastForward(repo, branch, sha) {
      const what = `move branch \`${branch}\` of ${repoName(repo)} to ${short(sha)}`;
      if (!token) {
        throw new GitHubError(0, `dockside has no GitHub token, so it cannot ${what}.`, ADD_TOKEN_HINT);
      }
      await call('PATCH', `${repoPath(repo)}/git/refs/heads/${refPath(branch)}`, what, { sha, force: false });
    },
  };
}

const ADD_TOKEN_HINT =
  'Add `github.token` to dockside.yml (a token with contents: write on the repository), or move the branch yourself.';

async function toError(res: Response, what: string, hadToken: boolean): Promise<GitHubError> {
  let detail = '';
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string') detail = escapeText(scrub(body.message).slice(0, 200));
  } catch {
    // GitHub sometimes answers errors with an HTML page; the status says enough
  }
  const said = detail ? ` (GitHub said: ${detail})` : '';
  const fail = `GitHub refused to ${what}: HTTP ${res.status}${said}.`;
  if (res.status === 401) {
    return new GitHubError(401, fail, 'The GitHub token in dockside.yml is invalid or expired; replace it.');
  }
  if (res.status === 403 || res.status === 404) {
    // GitHub answers 404 for private repositories the caller cannot see.
    const hint = hadToken
      ? 'Check that the branch exists and that the token may read (and write) the repository.'
      : ADD_TOKEN_HINT;
    return new GitHubError(res.status, fail, hint);
  }
  // Branch protection (or a ruleset) is the likeliest refusal of a promotion in practice.
  if (res.status === 422 && /protected branch|rule violations/i.test(detail)) {
    return new GitHubError(
      422,
      `GitHub refused to ${what}: the branch is protected.`,
      "Let dockside's token bypass the branch protection (or its ruleset), or fast-forward the branch yourself and ask for /promote again.",
    );
  }
  if (res.status === 422 && /fast.?forward/i.test(detail)) {
    return new GitHubError(
      422,
      `GitHub refused to ${what}: it is not a fast-forward.`,
      'The branch has commits that the target does not contain; reconcile the branch by hand.',
    );
  }
  return new GitHubError(res.status, fail);
}

function short(ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref;
}
