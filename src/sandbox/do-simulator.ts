/**
 * A simulated DigitalOcean API for the sandbox and the end-to-end tests: App Platform
 * apps whose deployments move through their phases on timers, rollbacks that pin,
 * component health and managed database backups/restores. Plain node:http; it answers
 * exactly the endpoints src/do/client.ts uses, plus a control API under /_sim/, and a
 * fake GitHub under /github (the three calls /promote makes) over the same branches.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppPlatformSim } from './do-sim/app-platform.js';
import { control } from './do-sim/control.js';
import { DatabaseSim } from './do-sim/databases.js';
import { DropletSim } from './do-sim/droplets.js';
import type { SimCommit } from './do-sim/git-history.js';
import { GITHUB_PREFIX, type GitHubContext, handleGitHub, SANDBOX_GITHUB_TOKEN } from './do-sim/github.js';
import { logsOf } from './do-sim/logs.js';
import { startOutOfBand } from './do-sim/out-of-band.js';
import { seedDemo } from './do-sim/seed.js';
import { appJson, databaseJson } from './do-sim/serialize.js';
import { handleApi, type SimContext, send } from './do-sim/server.js';
import type { DoSimulator, DoSimulatorOptions } from './do-sim/simulator-types.js';
import { SimHttpError } from './do-sim/types.js';

export type { DropletSim, SimDroplet, SimLoadBalancer } from './do-sim/droplets.js';
export type { SimCommit } from './do-sim/git-history.js';
export type { GitHubRequest } from './do-sim/github.js';
export type { OutOfBandInput } from './do-sim/out-of-band.js';
export { DEMO_IDS, DEMO_WORKER_DIGEST } from './do-sim/seed.js';
export type { CommitRef, DoSimulator, DoSimulatorOptions, FaultInput } from './do-sim/simulator-types.js';
export type { NextOutcome, SimRequest } from './do-sim/types.js';

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
