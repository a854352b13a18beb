import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import type { AppListClient } from '../../src/do/app-list.js';
import type { App, Deployment, DoClient } from '../../src/do/port.js';
import type { IntentStore } from '../../src/intents.js';
import type { Logger } from '../../src/logger.js';
import { describeCause } from '../../src/render/announce.js';
import type { TickLease } from '../../src/scheduler/lease.js';
import { wentLive } from '../deploy/watch.js';
import type { WatchRecord } from '../deploy/watchers.js';
import {
  type AppWatchState,
  awaitsIntent,
  candidates,
  changeOf,
  currentIds,
  type WatchedEnv,
  watchedEnvs,
} from './detect.js';
import type { AnnounceStore } from './store.js';

export interface OutOfBandDeps {
  config: Config;
  apps: AppListClient;
  do: Pick<DoClient, 'listDeployments'>;
  store: AnnounceStore;
  intents: Pick<IntentStore, 'list'>;
  lease: Pick<TickLease, 'claim'>;
  /** Follows claimed deployments now (they are in Redis already; any replica would resume them). */
  follow: () => Promise<unknown>;
  clock: Clock;
  log: Logger;
  replicaId: string;
  /** One replica polls per period of this length. */
  tickMs: number;
  /** How often a claimed deployment is polled while it runs, when its progress is shown (`announce: all`). */
  pollMs?: number;
  /** The same when only its outcome may be posted (`announce: failures`): no message to keep moving. */
  quietPollMs?: number;
}

export interface TickReport {
  /** False when another replica has this period. */
  polled: boolean;
  claimed: string[];
  deferred: string[];
}

/** How many of an app's newest deployments a changed app is checked against (one request). */
const RECENT = 10;

/**
 * The deployment that served before `d`: the active one, unless `d` already replaced it
 * (it went live between two looks); then the newest earlier one that went live.
 */
export function servedBefore(app: App, d: Deployment, recent: Deployment[]): string | undefined {
  const active = app.activeDeployment;
  if (active && active.id !== d.id) return active.id;
  const created = Date.parse(d.createdAt);
  return recent.find((r) => r.id !== d.id && Date.parse(r.createdAt) < created && wentLive(r))?.id;
}

/**
 * Notices deployments of configured App Platform envs that dockside did not start and
 * hands each, exactly once across replicas, to the deployment follower as a watch record
 * of kind `external`. Per period one replica polls: one `GET /v2/apps` for every env, plus
 * one list of deployments for each app whose answer shows that something started.
 */
export function createOutOfBandWatcher(deps: OutOfBandDeps) {
  const envs = watchedEnvs(deps.config);
  /** Apps already reported missing from the list (said once per process, not every tick). */
  const missing = new Set<string>();

  function recordFor(env: WatchedEnv, app: App, d: Deployment, recent: Deployment[]): WatchRecord {
    const pollMs = env.mode === 'all' ? deps.pollMs : (deps.quietPollMs ?? deps.pollMs);
    const before = servedBefore(app, d, recent);
    return {
      deploymentId: d.id,
      appId: env.appId,
      app: env.app,
      env: env.env,
      kind: 'external',
      user: '',
      message: { channel: deps.config.channels.ops, ts: '' },
      ...(env.mode === 'all' ? { channel: deps.config.channels.ops } : { postOnlyIfFailed: true }),
      startedAt: d.createdAt || new Date(deps.clock.now()).toISOString(),
      ...(env.healthUrl ? { healthUrl: env.healthUrl } : {}),
      ...(pollMs !== undefined ? { pollMs } : {}),
      ...(before ? { previousDeploymentId: before } : {}),
      lines: [describeCause(d)],
    };
  }

  return {
    envs,
    async tick(): Promise<TickReport> {
      const report: TickReport = { polled: false, claimed: [], deferred: [] };
      if (envs.length === 0) return report;
      const period = new Date(Math.floor(deps.clock.now() / deps.tickMs) * deps.tickMs);
      if (!(await deps.lease.claim('announce-watch', period, deps.tickMs))) return report;
      report.polled = true;
      const [listed, states] = await Promise.all([deps.apps.listApps(), deps.store.states()]);
      const byId = new Map(listed.map((a) => [a.id, a]));
      const looks: Array<{ env: WatchedEnv; app: App; state?: AppWatchState; recent: Deployment[] }> = [];
      for (const env of envs) {
        const app = byId.get(env.appId);
        if (!app) {
          if (!missing.has(env.appId)) {
            missing.add(env.appId);
            deps.log.warn(
              { app: env.app, env: env.env },
              "app not in the token's list of apps; its out-of-band deployments go unnoticed",
            );
          }
          continue;
        }
        const state = states.get(env.appId);
        const change = changeOf(state, app);
        if (change === 'unchanged') continue;
        try {
          const recent =
            change === 'changed' ? await deps.do.listDeployments(env.appId, { perPage: RECENT }) : [];
          looks.push({ env, app, ...(state ? { state } : {}), recent });
        } catch (err) {
          // Its state stays as it was, so the next tick looks at this app again; the others go on.
          deps.log.warn({ err, app: env.app, env: env.env }, 'could not list the deployments of an app');
        }
      }
      // Read after every DigitalOcean answer: a deployment dockside creates has its intent
      // written before it exists, so whatever those answers show is covered by this read
      // or already claimed by its watch record.
      const intents = looks.length > 0 ? await deps.intents.list() : [];
      const next = new Map<string, AppWatchState>();
      for (const { env, app, state, recent } of looks) {
        const deferred: string[] = [];
        for (const d of candidates(state, app, recent)) {
          if (awaitsIntent(intents, env.appId, d.id)) {
            deferred.push(d.id);
            continue;
          }
          if (await deps.store.claim(recordFor(env, app, d, recent), deps.replicaId)) {
            report.claimed.push(d.id);
            deps.log.info(
              { app: env.app, env: env.env, deploymentId: d.id, announce: env.mode },
              'deployment started outside dockside',
            );
          }
        }
        report.deferred.push(...deferred);
        next.set(env.appId, {
          ...(app.lastDeploymentCreatedAt ? { lastCreatedAt: app.lastDeploymentCreatedAt } : {}),
          ids: currentIds(app),
          deferred,
        });
      }
      await deps.store.saveStates(next);
      if (report.claimed.length > 0) await deps.follow();
      return report;
    },
  };
}

export type OutOfBandWatcher = ReturnType<typeof createOutOfBandWatcher>;
