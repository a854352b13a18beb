/**
 * What startDoSimulator takes and returns: its options, and the DoSimulator handle a test
 * or the sandbox steers the simulated world with (re-exported by ../do-simulator.ts).
 */
import type { AppSpec } from '../../do/port.js';
import type { DropletSim } from './droplets.js';
import type { SimCommit } from './git-history.js';
import type { GitHubRequest } from './github.js';
import type { LogLinesInput } from './logs.js';
import type { OutOfBandInput } from './out-of-band.js';
import type { DEMO_IDS } from './seed.js';
import type { appJson, databaseJson } from './serialize.js';
import type { NextOutcome, SimDatabase, SimHealth, SimRequest } from './types.js';

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
