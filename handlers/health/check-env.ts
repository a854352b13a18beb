import { performance } from 'node:perf_hooks';
import type { EnvConfig } from '../../src/config/schema.js';
import { formatAge } from '../backup/format.js';
import { createAppPlatformTarget } from '../deploy/app-platform-target.js';
import type { TargetHealth, TargetReads } from '../deploy/target.js';
import { checkHosts } from './check-hosts.js';
import { checkHealthUrl, checkStatusUrl } from './http-check.js';
import { ms, withTimeout } from './limits.js';
import { type CheckResult, combine, type EnvHealth, type HealthDeps } from './types.js';

export interface EnvTarget {
  app: string;
  env: string;
  config: EnvConfig;
}

/**
 * One app env through its deploy target: for App Platform the DO deployment phase and
 * age and the component health, for Droplets each host (reachable, release, container
 * health); then health_url and status_url. Everything runs at once and each part is
 * bounded (DO calls and URLs by the health timeout, a host by its SSH timeouts), so
 * one slow host or API never holds up the others. `includeDo: false` skips the
 * target (the background poll, which would otherwise spend the DO API's hourly limit
 * or open SSH connections every minute) when the env has a health_url to go by.
 */
export async function checkEnv(
  deps: Pick<HealthDeps, 'config' | 'do' | 'clock' | 'fetch' | 'targets'>,
  target: EnvTarget,
  options: { includeDo?: boolean } = {},
): Promise<EnvHealth> {
  const timeout = deps.config.health.timeout_ms;
  const appId = target.config.app_id ?? '';
  const health: EnvHealth = { app: target.app, env: target.env, appId, state: 'unknown', checks: [] };
  const tasks: Array<Promise<CheckResult | CheckResult[]>> = [];
  const includeTarget = options.includeDo ?? true;

  if (includeTarget && target.config.droplets && deps.targets) {
    const targets = deps.targets;
    tasks.push(
      checkHosts(() => targets.get(target.app, target.env), timeout).then(({ check, hosts }) => {
        if (hosts) health.hosts = hosts;
        return check;
      }),
    );
  }
  if (includeTarget && appId) {
    tasks.push(
      appPlatformTarget(deps, target, appId)
        .health({ timeoutMs: timeout })
        .then((h) => platformChecks(deps, health, h)),
    );
  }
  const fetchImpl = deps.fetch ?? fetch;
  if (target.config.health_url) tasks.push(checkHealthUrl(target.config.health_url, timeout, fetchImpl));
  if (target.config.status_url) tasks.push(checkStatusUrl(target.config.status_url, timeout, fetchImpl));

  health.checks = (await Promise.all(tasks)).flat();
  health.state = combine(health.checks.map((c) => c.state));
  return health;
}

/** The env's target as the bot built it, or one on `do` (unit tests that build only a DO client). */
function appPlatformTarget(
  deps: Pick<HealthDeps, 'do' | 'targets'>,
  target: EnvTarget,
  appId: string,
): TargetReads {
  try {
    if (deps.targets) return deps.targets.get(target.app, target.env);
  } catch {
    // targets built without a DigitalOcean client: fall through to the one health was given
  }
  return createAppPlatformTarget({ do: deps.do }, { app: target.app, env: target.env, appId });
}

/** The deployment and component checks of an App Platform app, from what its target read. */
function platformChecks(
  deps: Pick<HealthDeps, 'clock'>,
  health: EnvHealth,
  target: TargetHealth,
): CheckResult[] {
  const p = target.platform ?? {};
  const deploy = ((): CheckResult => {
    if (!p.app) return { name: 'deploy', state: 'unknown', detail: p.appError ?? 'DO: no answer' };
    if (p.app.pinnedDeployment) health.pinnedDeploymentId = p.app.pinnedDeployment.id;
    const active = p.app.activeDeployment;
    if (!active) return { name: 'deploy', state: 'bad', detail: 'no active deployment' };
    const ageMs = deps.clock.now() - Date.parse(active.updatedAt || active.createdAt);
    health.deployment = { id: active.id, phase: active.phase, ageMs };
    if (p.app.inProgressDeployment) health.deployment.inProgressPhase = p.app.inProgressDeployment.phase;
    const state = active.phase === 'ACTIVE' ? 'good' : 'bad';
    return { name: 'deploy', state, detail: `${active.phase} ${formatAge(ageMs).split(' ')[0]}` };
  })();
  const components = ((): CheckResult => {
    if (!p.components) {
      return { name: 'components', state: 'unknown', detail: p.componentsError ?? 'DO: no answer' };
    }
    const list = p.components;
    health.components = list;
    if (list.length === 0) return { name: 'components', state: 'unknown', detail: 'no data' };
    const ready = list.reduce((n, c) => n + (c.replicasReady ?? 0), 0);
    const desired = list.reduce((n, c) => n + (c.replicasDesired ?? 0), 0);
    const unhealthy = list.filter(
      (c) => c.state === 'UNHEALTHY' || (c.replicasReady ?? 1) < (c.replicasDesired ?? 0),
    );
    const state =
      unhealthy.length > 0 ? 'bad' : list.every((c) => c.state === 'UNKNOWN') ? 'unknown' : 'good';
    const names = unhealthy.map((c) => c.name).join(',');
    return { name: 'components', state, detail: `${ready}/${desired} ready${names ? ` (${names})` : ''}` };
  })();
  return [deploy, components];
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
