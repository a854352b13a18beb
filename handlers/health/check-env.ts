import { performance } from 'node:perf_hooks';
import type { EnvConfig } from '../../src/config/schema.js';
import { formatAge } from '../backup/format.js';
import { checkHealthUrl, checkStatusUrl } from './http-check.js';
import { ms, withTimeout } from './limits.js';
import { type CheckResult, combine, type EnvHealth, type HealthDeps } from './types.js';

export interface EnvTarget {
  app: string;
  env: string;
  config: EnvConfig;
}

/**
 * One app env: DO deployment phase and age, DO component health, health_url and
 * status_url, all at once and each bounded by the health timeout, so an env never
 * takes longer than the timeout. `includeDo: false` skips the two DO calls (the
 * background poll, which would otherwise spend the API's hourly limit).
 */
export async function checkEnv(
  deps: Pick<HealthDeps, 'config' | 'do' | 'clock' | 'fetch'>,
  target: EnvTarget,
  options: { includeDo?: boolean } = {},
): Promise<EnvHealth> {
  const timeout = deps.config.health.timeout_ms;
  // Droplet envs have no App Platform app: only their URLs are checked here for now.
  const appId = target.config.app_id ?? '';
  const health: EnvHealth = { app: target.app, env: target.env, appId, state: 'unknown', checks: [] };
  const tasks: Array<Promise<CheckResult>> = [];

  if ((options.includeDo ?? true) && appId) {
    tasks.push(
      withTimeout(deps.do.getApp(appId), timeout, 'DigitalOcean').then(
        (app): CheckResult => {
          if (app.pinnedDeployment) health.pinnedDeploymentId = app.pinnedDeployment.id;
          const active = app.activeDeployment;
          if (!active) return { name: 'deploy', state: 'bad', detail: 'no active deployment' };
          const ageMs = deps.clock.now() - Date.parse(active.updatedAt || active.createdAt);
          health.deployment = { id: active.id, phase: active.phase, ageMs };
          if (app.inProgressDeployment) health.deployment.inProgressPhase = app.inProgressDeployment.phase;
          const state = active.phase === 'ACTIVE' ? 'good' : 'bad';
          return { name: 'deploy', state, detail: `${active.phase} ${formatAge(ageMs).split(' ')[0]}` };
        },
        (err: Error): CheckResult => ({ name: 'deploy', state: 'unknown', detail: `DO: ${err.message}` }),
      ),
      withTimeout(deps.do.getAppHealth(appId), timeout, 'DigitalOcean').then(
        (components): CheckResult => {
          health.components = components;
          if (components.length === 0) return { name: 'components', state: 'unknown', detail: 'no data' };
          const ready = components.reduce((n, c) => n + (c.replicasReady ?? 0), 0);
          const desired = components.reduce((n, c) => n + (c.replicasDesired ?? 0), 0);
          const unhealthy = components.filter(
            (c) => c.state === 'UNHEALTHY' || (c.replicasReady ?? 1) < (c.replicasDesired ?? 0),
          );
          const state =
            unhealthy.length > 0
              ? 'bad'
              : components.every((c) => c.state === 'UNKNOWN')
                ? 'unknown'
                : 'good';
          const names = unhealthy.map((c) => c.name).join(',');
          return {
            name: 'components',
            state,
            detail: `${ready}/${desired} ready${names ? ` (${names})` : ''}`,
          };
        },
        (err: Error): CheckResult => ({ name: 'components', state: 'unknown', detail: `DO: ${err.message}` }),
      ),
    );
  }
  const fetchImpl = deps.fetch ?? fetch;
  if (target.config.health_url) tasks.push(checkHealthUrl(target.config.health_url, timeout, fetchImpl));
  if (target.config.status_url) tasks.push(checkStatusUrl(target.config.status_url, timeout, fetchImpl));

  health.checks = await Promise.all(tasks);
  health.state = combine(health.checks.map((c) => c.state));
  return health;
}

/** Reachable and how fast, bounded by the health timeout. */
export async function probe(name: string, timeoutMs: number, ping: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await withTimeout(ping(), timeoutMs, name);
    return { name, state: 'good' as const, latencyMs: performance.now() - started };
  } catch (err) {
    const latencyMs = performance.now() - started;
    return {
      name,
      state: 'bad' as const,
      latencyMs,
      error: (err as Error).message || `failed after ${ms(latencyMs)}`,
    };
  }
}
