/**
 * A fake GitHub REST API, served by the DO simulator under /github, backed by the same
 * branch heads and commit history App Platform builds from. It answers the three calls
 * src/github/client.ts makes for /promote, with GitHub's shapes and refusals: read a
 * branch, compare two refs (ahead/behind/identical/diverged, counted over the real
 * history), and move a branch, refusing a non-fast-forward with 422 as GitHub does.
 */
import type { IncomingMessage } from 'node:http';
import type { AppPlatformSim } from './app-platform.js';
import { ancestry, branchHead, compareCommits, findRepo, resolve } from './github-history.js';
import { commitJson, refJson } from './github-json.js';
import { type Answer, readJson, takeFault } from './server.js';
import { type SimFault, SimHttpError, type SimRequest } from './types.js';

export const GITHUB_PREFIX = '/github';

export interface GitHubRequest extends SimRequest {
  /** Whether an Authorization header came with it (the token itself is never kept). */
  authorized: boolean;
}

export interface GitHubContext {
  platform: AppPlatformSim;
  faults: SimFault[];
  log: GitHubRequest[];
  /** The only token accepted; the repositories are private, so reads need it too. */
  token: string;
  /** `repo#branch` of protected branches: the API may not move them. */
  protectedBranches: Set<string>;
}

/** A token for the fake GitHub only; it opens nothing real. */
export const SANDBOX_GITHUB_TOKEN = 'sandbox-github-token';

const DOCS = {
  ref: 'https://docs.github.com/rest/git/refs#get-a-reference',
  update: 'https://docs.github.com/rest/git/refs#update-a-reference',
  compare: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
  auth: 'https://docs.github.com/rest',
  protection: 'https://docs.github.com/articles/about-protected-branches',
};

const ROUTES = {
  ref: '/repos/:owner/:repo/git/ref/heads/:branch',
  refs: '/repos/:owner/:repo/git/refs/heads/:branch',
  compare: '/repos/:owner/:repo/compare/:basehead',
} as const;

/** A refusal in GitHub's words; answered as `{ message, documentation_url, status }`. */
class GitHubRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly doc: string,
  ) {
    super(message);
  }

  answer(): Answer {
    return {
      status: this.status,
      body: { message: this.message, documentation_url: this.doc, status: String(this.status) },
    };
  }
}

function fail(status: number, message: string, doc: string): never {
  throw new GitHubRefusal(status, message, doc);
}

interface Parsed {
  route: string;
  repo: string;
  rest: string;
}

/** `/repos/acme/web/git/ref/heads/release/1.2` -> route template, `acme/web`, `release/1.2`. */
function parse(path: string): Parsed | undefined {
  const match = /^\/repos\/([^/]+)\/([^/]+)\/(git\/ref\/heads|git\/refs\/heads|compare)\/(.+)$/.exec(path);
  if (!match) return undefined;
  const [, owner = '', name = '', kind, rest = ''] = match;
  const route = kind === 'compare' ? ROUTES.compare : kind === 'git/ref/heads' ? ROUTES.ref : ROUTES.refs;
  const decode = (s: string) => s.split('/').map(decodeURIComponent).join('/');
  return { route, repo: `${decodeURIComponent(owner)}/${decodeURIComponent(name)}`, rest: decode(rest) };
}

/**
 * GitHub's answers for credentials: a wrong token is 401 "Bad credentials" on any call;
 * without one, a private repository does not exist for reads (404) and a write needs
 * authentication (401).
 */
function authorize(ctx: GitHubContext, header: string | undefined, write: boolean, doc: string): void {
  const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (token === undefined) {
    if (write) fail(401, 'Requires authentication', doc);
    fail(404, 'Not Found', doc);
  }
  if (token !== ctx.token) fail(401, 'Bad credentials', DOCS.auth);
}

function route(
  ctx: GitHubContext,
  method: string,
  parsed: Parsed,
  body: unknown,
  authHeader: string | undefined,
  api: string,
): Answer {
  const { platform } = ctx;
  const repo = findRepo(platform, parsed.repo);
  const write = method !== 'GET' && method !== 'HEAD';
  authorize(
    ctx,
    authHeader,
    write,
    parsed.route === ROUTES.compare ? DOCS.compare : write ? DOCS.update : DOCS.ref,
  );
  switch (`${method} ${parsed.route}`) {
    case `GET ${ROUTES.ref}`:
    case `GET ${ROUTES.refs}`: {
      const sha = repo ? branchHead(platform, repo, parsed.rest) : undefined;
      if (!repo || !sha) fail(404, 'Not Found', DOCS.ref);
      return { status: 200, body: refJson(api, repo, parsed.rest, sha) };
    }
    case `GET ${ROUTES.compare}`: {
      const [baseRef = '', headRef = ''] = parsed.rest.split('...');
      const base = repo ? resolve(platform, repo, baseRef) : undefined;
      const head = repo ? resolve(platform, repo, headRef) : undefined;
      if (!repo || !base || !head || !parsed.rest.includes('...')) fail(404, 'Not Found', DOCS.compare);
      const cmp = compareCommits(platform, repo, base.sha, head.sha);
      const json = (sha: string | undefined) => {
        const c = sha ? platform.commit(repo, sha) : undefined;
        return c ? commitJson(api, repo, c) : null;
      };
      return {
        status: 200,
        body: {
          url: `${api}/repos/${repo}/compare/${baseRef}...${headRef}`,
          html_url: `https://github.com/${repo}/compare/${baseRef}...${headRef}`,
          permalink_url: `https://github.com/${repo}/compare/${base.sha}...${head.sha}`,
          diff_url: `https://github.com/${repo}/compare/${baseRef}...${headRef}.diff`,
          patch_url: `https://github.com/${repo}/compare/${baseRef}...${headRef}.patch`,
          base_commit: json(base.sha),
          merge_base_commit: json(cmp.mergeBase),
          status: cmp.status,
          ahead_by: cmp.aheadBy,
          behind_by: cmp.behindBy,
          total_commits: cmp.aheadBy,
          commits: cmp.commits.slice(-250).map(json),
          files: [],
        },
      };
    }
    case `PATCH ${ROUTES.refs}`: {
      if (!repo) fail(404, 'Not Found', DOCS.update);
      const input = (body ?? {}) as { sha?: unknown; force?: unknown };
      if (typeof input.sha !== 'string')
        fail(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', DOCS.update);
      const current = branchHead(platform, repo, parsed.rest);
      if (!current) fail(422, 'Reference does not exist', DOCS.update);
      const target = /^[0-9a-f]{40}$/.test(input.sha) ? platform.commit(repo, input.sha) : undefined;
      if (!target) fail(422, 'Object does not exist', DOCS.update);
      if (ctx.protectedBranches.has(`${repo}#${parsed.rest}`)) {
        fail(422, `Protected branch update failed for refs/heads/${parsed.rest}.`, DOCS.protection);
      }
      if (input.force !== true && !ancestry(platform, repo, target.sha).includes(current)) {
        fail(422, 'Update is not a fast forward', DOCS.update);
      }
      // A moved ref is a push: apps deploying on push to this branch deploy; others do not.
      if (target.sha !== current) platform.push(repo, parsed.rest, target.sha);
      return { status: 200, body: refJson(api, repo, parsed.rest, target.sha) };
    }
    default:
      fail(404, 'Not Found', DOCS.auth);
  }
}

/** One request under /github: logging, injected faults (`PATCH /github/repos/...`), routing. */
export async function handleGitHub(ctx: GitHubContext, req: IncomingMessage, url: URL): Promise<Answer> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.slice(GITHUB_PREFIX.length).replace(/\/+$/, '') || '/';
  const parsed = parse(path);
  const entry: GitHubRequest = {
    method,
    path,
    route: parsed?.route ?? path,
    query: Object.fromEntries(url.searchParams),
    body: undefined,
    status: 0,
    at: new Date().toISOString(),
    authorized: req.headers.authorization !== undefined,
  };
  ctx.log.push(entry);
  const api = `http://${req.headers.host ?? '127.0.0.1'}${GITHUB_PREFIX}`;
  let answer: Answer;
  try {
    entry.body = await readJson(req);
    const fault = takeFault(ctx.faults, method, `${GITHUB_PREFIX}${path}`, `${GITHUB_PREFIX}${entry.route}`);
    if (fault) {
      answer = {
        status: fault.status,
        body: fault.body ?? {
          message: 'Server Error',
          documentation_url: DOCS.auth,
          status: String(fault.status),
        },
        headers: fault.headers,
      };
    } else if (!parsed) {
      answer = new GitHubRefusal(404, 'Not Found', DOCS.auth).answer();
    } else {
      answer = route(ctx, method, parsed, entry.body, req.headers.authorization, api);
    }
  } catch (err) {
    if (err instanceof GitHubRefusal) answer = err.answer();
    else if (err instanceof SimHttpError)
      answer = new GitHubRefusal(err.status, err.message, DOCS.auth).answer();
    else throw err;
  }
  entry.status = answer.status;
  return answer;
}
