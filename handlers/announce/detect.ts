import { isProductionName } from '../../src/config/load.js';
import type { AnnounceMode, Config } from '../../src/config/schema.js';
import type { App, Deployment } from '../../src/do/port.js';
import type { RunIntent } from '../../src/intents.js';

/** An App Platform env whose out-of-band deployments are announced. */
export interface WatchedEnv {
  app: string;
  env: string;
  appId: string;
  mode: Exclude<AnnounceMode, 'off'>;
  healthUrl?: string;
}

/** `announce` of an env, with its default: all for production (as approvals name it), failures otherwise. */
export function announceMode(envName: string, env: { announce?: AnnounceMode | undefined }): AnnounceMode {
  return env.announce ?? (isProductionName(envName) ? 'all' : 'failures');
}

/** Every App Platform env whose announce is not off; an app id named twice is watched once (the first). */
export function watchedEnvs(config: Config): WatchedEnv[] {
  const out = new Map<string, WatchedEnv>();
  for (const [app, appConfig] of Object.entries(config.apps)) {
    for (const [env, envConfig] of Object.entries(appConfig.environments)) {
      const mode = announceMode(env, envConfig);
      if (!envConfig.app_id || mode === 'off' || out.has(envConfig.app_id)) continue;
      out.set(envConfig.app_id, {
        app,
        env,
        appId: envConfig.app_id,
        mode,
        ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
      });
    }
  }
  return [...out.values()];
}

/** What the watcher remembers of one app between ticks (in Redis, so any replica continues). */
export interface AppWatchState {
  /** `last_deployment_created_at` when last looked at. */
  lastCreatedAt?: string;
  /** In-progress, pending and active deployment ids when last looked at. */
  ids: string[];
  /** Deployments whose decision waits for a dockside intent of the same app to settle. */
  deferred: string[];
}

export function currentIds(app: App): string[] {
  return [app.inProgressDeployment, app.pendingDeployment, app.activeDeployment].flatMap((d) =>
    d ? [d.id] : [],
  );
}

function inFlight(app: App): Deployment[] {
  return [app.inProgressDeployment, app.pendingDeployment].flatMap((d) => (d ? [d] : []));
}

/**
 * How much a tick must look at for one app. `unchanged`: the list answer says nothing
 * started since last time, so no request more. `changed`: list the app's newest
 * deployments (one request) to catch also those that started and ended between two ticks.
 * `baseline`: first sight of the app; what runs now is looked at, history is not.
 */
export function changeOf(state: AppWatchState | undefined, app: App): 'baseline' | 'unchanged' | 'changed' {
  if (!state) return 'baseline';
  if (state.deferred.length > 0) return 'changed';
  if (app.lastDeploymentCreatedAt !== state.lastCreatedAt) return 'changed';
  // Every new deployment moves last_deployment_created_at; ids moving among known ones
  // (in progress -> active) are no news. Without the field, a new id is.
  if (app.lastDeploymentCreatedAt) return 'unchanged';
  const now = currentIds(app);
  const same = now.length === state.ids.length && now.every((id) => state.ids.includes(id));
  return same ? 'unchanged' : 'changed';
}

/**
 * Deployments that may have been started by someone else since the last tick: whatever
 * runs or waits now, the newest ones created after `lastCreatedAt`, and those deferred.
 * Whether dockside started one is decided afterwards (intents and claims).
 */
export function candidates(
  state: AppWatchState | undefined,
  app: App,
  recent: Deployment[] = [],
): Deployment[] {
  const out = new Map<string, Deployment>();
  for (const d of inFlight(app)) out.set(d.id, d);
  if (state) {
    const since = state.lastCreatedAt ? Date.parse(state.lastCreatedAt) : Number.NaN;
    for (const d of recent) {
      const newer = Number.isFinite(since) ? Date.parse(d.createdAt) > since : !state.ids.includes(d.id);
      if (newer || state.deferred.includes(d.id)) out.set(d.id, d);
    }
    const active = app.activeDeployment;
    if (active && !state.ids.includes(active.id) && !Number.isFinite(since)) out.set(active.id, active);
  }
  return [...out.values()];
}

/**
 * True while dockside may be about to learn that it made this deployment: an intent of the
 * same app that has no deployment id yet (its create may have landed), or that names this one.
 * Intents are written before anything is sent to DigitalOcean, and removed in the same
 * transaction that saves the watch record (which claims the deployment), so a deployment
 * looked at after the app list was read is either covered here or already claimed.
 */
export function awaitsIntent(intents: RunIntent[], appId: string, deploymentId: string): boolean {
  return intents.some(
    (i) => i.appId === appId && (i.deploymentId === undefined || i.deploymentId === deploymentId),
  );
}
