/**
 * A simulated DigitalOcean API for the sandbox and the end-to-end tests: App Platform
 * apps whose deployments move through their phases on timers, rollbacks that pin,
 * component health and managed database backups/restores. Plain node:http; it answers
 * exactly the endpoints src/do/client.ts uses, plus a control API under /_sim/, and a
 * fake GitHub under /github (the three calls /promote makes) over the same branches.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppSpec } from '../do/port.js';
import { AppPlatformSim } from './do-sim/app-platform.js';
import { DatabaseSim } from './do-sim/databases.js';
import { DropletSim } from './do-sim/droplets.js';
import type { SimCommit } from './do-sim/git-history.js';
import {
  GITHUB_PREFIX,
  type GitHubContext,
  type GitHubRequest,
  handleGitHub,
  SANDBOX_GITHUB_TOKEN,
} from './do-sim/github.js';
import { type LogLinesInput, logsOf } from './do-sim/logs.js';
import { type OutOfBandInput, startOutOfBand } from './do-sim/out-of-band.js';
import { type DEMO_IDS, seedDemo } from './do-sim/seed.js';
import { appJson, databaseJson } from './do-sim/serialize.js';
import { type Answer, handleApi, readJson, type SimContext, send } from './do-sim/server.js';
import {
  type NextOutcome,
  type SimDatabase,
  type SimHealth,
  SimHttpError,
  type SimRequest,
} from './do-sim/types.js';

export type { DropletSim, SimDroplet, SimLoadBalancer } from './do-sim/droplets.js';
export type { SimCommit } from './do-sim/git-history.js';
export type { GitHubRequest } from './do-sim/github.js';
export type { OutOfBandInput } from './do-sim/out-of-band.js';
export { DEMO_IDS, DEMO_WORKER_DIGEST } from './do-sim/seed.js';
export type { NextOutcome, SimRequest } from './do-sim/types.js';

export interface DoSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Time spent in each deployment phase; ~800 ms feels real, tests use ~20 ms. */
  phaseDelayMs?: number;
  host?: '127.0.0.1';
  /** The only DigitalOcean API token accepted; a fresh `dop_v1_` one by default (`sim.token`). */
  token?: string;
  /** The only token the fake GitHub accepts (`sim.githubToken`); the sandbox's by default. */
  githubToken?: string;
}

export type CommitRef = (
  | { appId: string; branch?: string; sha?: string }
  | { repo: string; branch: string; sha?: string }
) & { message?: string };

export interface FaultInput {
  /** `METHOD /v2/...` (or `METHOD /github/repos/...`), with a route template (`POST /v2/apps/:id/deployments`) or a concrete path. */
  route: string;
  status: number;
  /** How many requests get the fault (default 1). */
  count?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface DoSimulator {
  /** Base URL including /v2: what DIGITALOCEAN_API_URL should be. */
  url: string;
  /** Base URL of the fake GitHub REST API (`github.api_url` in dockside.yml). */
  githubUrl: string;
  /** The DigitalOcean token it accepts: DIGITALOCEAN_TOKEN for a bot, `Bearer` for curl. */
  token: string;
  /** The GitHub token it accepts (`github.token` in dockside.yml). */
  githubToken: string;
  port: number;
  close(): Promise<void>;
  /** Droplets and load balancers (src/sandbox/do-sim/droplets.ts). */
  droplets: DropletSim;
  seedDemo(): typeof DEMO_IDS;
  addApp(spec: AppSpec, options?: { id?: string; deployed?: boolean }): string;
  addDatabase(input: Omit<SimDatabase, 'id' | 'status' | 'created_at'> & { id?: string }): string;
  /** Moves a branch head; apps tracking it with deploy_on_push deploy. Returns the commit. */
  pushCommit(ref: CommitRef): string;
  /**
   * Starts a deployment of one app as someone outside dockside would (a push to its branch,
   * or a "Deploy" in the control panel / doctl), with `cause` and `cause_details` as DigitalOcean
   * sets them. Returns the deployment id.
   */
  startOutOfBand(appId: string, input: OutOfBandInput): string;
  failNextDeployment(appId: string, outcome?: Omit<Extract<NextOutcome, { kind: 'error' }>, 'kind'>): void;
  cancelNextDeployment(appId: string, phase?: Extract<NextOutcome, { kind: 'cancel' }>['phase']): void;
  setComponentHealth(appId: string, component: string, health: Partial<Omit<SimHealth, 'name'>>): void;
  injectFault(fault: FaultInput): void;
  /**
   * The next `PUT /v2/apps/{id}` of this app answers before the deployment it causes
   * exists (created `delayMs` later), so the answer has no `pending_deployment`; with
   * `interleave`, someone else's deployment starts in between and is `in_progress_deployment`.
   */
  answerSpecUpdateEarly(appId: string, options: { delayMs: number; interleave?: boolean }): void;
  /** Protects a branch: GitHub refuses to move it through the API (422), as for a required review. */
  protectBranch(repo: string, branch: string): void;
  /** Adds lines to the logs the simulator serves (say, errors a runtime printed); `at` stamps them (ms). */
  addLogLines(appId: string, where: LogLinesInput, lines: string[], at?: number): void;
  /** The runtime log of the app's next deployment gets `lines` `delayMs` after it goes ACTIVE. */
  runLinesAfterActive(
    appId: string,
    lines: string[],
    options?: { delayMs?: number; component?: string },
  ): void;
  /** The named job of the next deployment fails (PRE_DEPLOY: the deployment fails; POST_DEPLOY: it stays ACTIVE). */
  failNextJob(appId: string, job: string): void;
  /** API requests received, oldest first (control requests are not logged). */
  requests(filter?: { method?: string; route?: string }): SimRequest[];
  /** Clears the DigitalOcean and the GitHub request logs. */
  clearRequests(): void;
  /** Fake GitHub requests received, oldest first; `route` is e.g. `/repos/:owner/:repo/git/refs/heads/:branch`. */
  githubRequests(filter?: { method?: string; route?: string }): GitHubRequest[];
  /** Where a branch points now (undefined when it does not exist). */
  branchHead(repo: string, branch: string): string | undefined;
  /** A branch's history, newest first, following first parents. */
  history(repo: string, branch: string): SimCommit[];
  /** The app as GET /v2/apps/{id} returns it. */
  app(appId: string): ReturnType<typeof appJson>;
  database(
    clusterId: string,
  ): ReturnType<typeof databaseJson> & { restoredFrom?: SimDatabase['restoredFrom'] };
}

export async function startDoSimulator(options: DoSimulatorOptions = {}): Promise<DoSimulator> {
  const phaseDelayMs = options.phaseDelayMs ?? 800;
  const platform = new AppPlatformSim(phaseDelayMs);
  const databases = new DatabaseSim((fn, ms) => platform.later(fn, ms), phaseDelayMs * 3);
  const droplets = new DropletSim();
  const token = options.token ?? `dop_v1_${randomBytes(32).toString('hex')}`;
  const ctx: SimContext = { platform, databases, droplets, faults: [], log: [], token, baseUrl: '' };
  const github: GitHubContext = {
    platform,
    faults: ctx.faults,
    log: [],
    token: options.githubToken ?? SANDBOX_GITHUB_TOKEN,
    protectedBranches: new Set(),
  };
  const byFilter =
    (filter: { method?: string; route?: string }) => (r: { method: string; route: string; path: string }) =>
      (!filter.method || r.method === filter.method.toUpperCase()) &&
      (!filter.route || r.route === filter.route || r.path === filter.route);

  const sim: Omit<DoSimulator, 'url' | 'githubUrl' | 'port' | 'close'> = {
    droplets,
    token,
    githubToken: github.token,
    answerSpecUpdateEarly: (appId, opts) => platform.answerSpecUpdateEarly(platform.app(appId).id, opts),
    protectBranch: (repo, branch) => github.protectedBranches.add(`${repo}#${branch}`),
    seedDemo: () => seedDemo(platform, databases),
    addApp(spec, opts = {}) {
      const app = platform.addApp(spec, opts.id);
      if (opts.deployed !== false) {
        platform.recordDeployment(app, {
          phase: 'ACTIVE',
          createdAt: new Date().toISOString(),
          cause: 'initial',
        });
      }
      return app.id;
    },
    addDatabase: (input) => databases.add(input).id,
    pushCommit(ref) {
      if ('repo' in ref) return platform.push(ref.repo, ref.branch, ref.sha, ref.message);
      const app = platform.app(ref.appId);
      const git = app.spec.services
        ?.concat(app.spec.workers ?? [])
        .map((c) => c.github ?? c.gitlab ?? c.bitbucket ?? c.git)
        .find((g) => g?.branch);
      if (!git?.repo || !git.branch) throw new Error(`app ${ref.appId} has no git component to push to`);
      return platform.push(git.repo, ref.branch ?? git.branch, ref.sha, ref.message);
    },
    startOutOfBand: (appId, input) => startOutOfBand(platform, platform.app(appId), input).id,
    failNextDeployment: (appId, outcome = {}) =>
      platform.failNext(platform.app(appId), { kind: 'error', ...outcome }),
    cancelNextDeployment: (appId, phase) =>
      platform.failNext(platform.app(appId), phase ? { kind: 'cancel', phase } : { kind: 'cancel' }),
    setComponentHealth(appId, component, health) {
      const app = platform.app(appId);
      const current = platform.health(app).find((h) => h.name === component);
      if (!current) throw new Error(`app ${appId} has no service or worker named ${component}`);
      Object.assign(current, health);
    },
    injectFault: (f) =>
      ctx.faults.push({
        route: f.route,
        status: f.status,
        remaining: f.count ?? 1,
        headers: f.headers ?? {},
        body: f.body,
      }),
    addLogLines: (appId, where, lines, at) =>
      logsOf(platform).addLines(platform.app(appId).id, where, lines, at),
    runLinesAfterActive: (appId, lines, opts) =>
      logsOf(platform).runLinesAfterActive(platform.app(appId).id, lines, opts),
    failNextJob: (appId, job) => platform.failNextJob(platform.app(appId), job),
    requests: (filter = {}) => ctx.log.filter(byFilter(filter)),
    clearRequests: () => {
      ctx.log.length = 0;
      github.log.length = 0;
    },
    githubRequests: (filter = {}) => github.log.filter(byFilter(filter)),
    branchHead: (repo, branch) => platform.heads.get(`${repo}#${branch}`),
    history(repo, branch) {
      const out: SimCommit[] = [];
      let sha = platform.heads.get(`${repo}#${branch}`);
      while (sha) {
        const commit = platform.commit(repo, sha);
        if (!commit || out.includes(commit)) break;
        out.push(commit);
        sha = commit.parents[0];
      }
      return out;
    },
    app: (appId) => appJson(platform.app(appId)),
    database(clusterId) {
      const db = databases.get(clusterId);
      return { ...databaseJson(db), ...(db.restoredFrom ? { restoredFrom: db.restoredFrom } : {}) };
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (logsOf(platform).serve(req, res, url)) return;
    const isGitHub = url.pathname === GITHUB_PREFIX || url.pathname.startsWith(`${GITHUB_PREFIX}/`);
    const work = url.pathname.startsWith('/_sim/')
      ? control(sim, req, url)
      : isGitHub
        ? handleGitHub(github, req, url)
        : handleApi(ctx, req, url);
    work.then(
      (answer) => send(res, answer),
      (err: unknown) => {
        const known = err instanceof SimHttpError;
        const message = err instanceof Error ? err.message : String(err);
        send(res, { status: known ? err.status : 500, body: { id: known ? err.id : 'internal', message } });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logsOf(platform).baseUrl = `http://127.0.0.1:${port}`;
  ctx.baseUrl = `http://127.0.0.1:${port}`;
  droplets.baseUrl = ctx.baseUrl;

  return {
    ...sim,
    url: `http://127.0.0.1:${port}/v2`,
    githubUrl: `http://127.0.0.1:${port}${GITHUB_PREFIX}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        platform.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const HEALTH_FIELDS = new Set([
  'state',
  'replicas_desired',
  'replicas_ready',
  'cpu_usage_percent',
  'memory_usage_percent',
]);

/** The control API, so a sandbox in another process (or curl) can steer the world. */
async function control(
  sim: Omit<DoSimulator, 'url' | 'githubUrl' | 'port' | 'close'>,
  req: IncomingMessage,
  url: URL,
): Promise<Answer> {
  const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
  const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const appId = str('app_id') ?? '';
  const ok = (payload: unknown = { ok: true }): Answer => ({ status: 200, body: payload });
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /_sim/seed':
      return ok(sim.seedDemo());
    case 'POST /_sim/apps':
      return ok({ id: sim.addApp(body.spec as AppSpec, { ...(str('id') ? { id: str('id') } : {}) }) });
    case 'POST /_sim/push': {
      const sha = str('sha');
      const ref: CommitRef = str('repo')
        ? { repo: str('repo') ?? '', branch: str('branch') ?? 'main', ...(sha ? { sha } : {}) }
        : { appId, ...(str('branch') ? { branch: str('branch') } : {}), ...(sha ? { sha } : {}) };
      return ok({ sha: sim.pushCommit(ref) });
    }
    case 'POST /_sim/out-of-band': {
      const input: OutOfBandInput = {
        via: str('via') === 'console' ? 'console' : 'push',
        ...(str('author') ? { author: str('author') } : {}),
        ...(str('email') ? { email: str('email') } : {}),
        ...(str('message') ? { message: str('message') } : {}),
        ...(body.fail === true ? { fail: true } : {}),
      };
      return ok({ deployment_id: sim.startOutOfBand(appId, input) });
    }
    case 'POST /_sim/fail-next':
      sim.failNextDeployment(appId, body as Omit<Extract<NextOutcome, { kind: 'error' }>, 'kind'>);
      return ok();
    case 'POST /_sim/run-lines-after-active':
      sim.runLinesAfterActive(appId, Array.isArray(body.lines) ? body.lines.map(String) : [], {
        ...(typeof body.delay_ms === 'number' ? { delayMs: body.delay_ms } : {}),
        ...(str('component') ? { component: str('component') } : {}),
      });
      return ok();
    case 'POST /_sim/fail-next-job':
      sim.failNextJob(appId, str('job') ?? '');
      return ok();
    case 'POST /_sim/cancel-next':
      sim.cancelNextDeployment(appId, body.phase as Extract<NextOutcome, { kind: 'cancel' }>['phase']);
      return ok();
    case 'POST /_sim/health':
      sim.setComponentHealth(
        appId,
        str('component') ?? '',
        Object.fromEntries(Object.entries(body).filter(([k]) => HEALTH_FIELDS.has(k))) as Partial<SimHealth>,
      );
      return ok();
    case 'POST /_sim/faults':
      sim.injectFault(body as unknown as FaultInput);
      return ok();
    case 'POST /_sim/answer-spec-update-early':
      sim.answerSpecUpdateEarly(appId, {
        delayMs: typeof body.delay_ms === 'number' ? body.delay_ms : 1000,
        interleave: body.interleave === true,
      });
      return ok();
    case 'POST /_sim/protect-branch':
      sim.protectBranch(str('repo') ?? '', str('branch') ?? '');
      return ok();
    case 'GET /_sim/requests':
      return ok({ requests: sim.requests() });
    case 'DELETE /_sim/requests':
      sim.clearRequests();
      return ok();
    default:
      throw new SimHttpError(404, 'not_found', `no control endpoint ${req.method} ${url.pathname}`);
  }
}
