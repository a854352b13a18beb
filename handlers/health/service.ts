import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { scrub } from '../../src/secrets.js';
import { checkEnv, type EnvTarget, probe } from './check-env.js';
import type { EnvHealth, HealthDeps, HealthReport, ProbeHealth } from './types.js';

export interface HealthService {
  /** Every env (or one app's), its databases, dockside's Redis and the locks. */
  report(app?: string): Promise<HealthReport>;
  /** Envs only, for the background poll. */
  checkEnvs(options?: { includeDo?: boolean; app?: string }): Promise<EnvHealth[]>;
}

export function envTargets(config: HealthDeps['config'], app?: string): EnvTarget[] {
  return Object.entries(config.apps)
    .filter(([name]) => !app || name === app)
    .flatMap(([name, a]) =>
      Object.entries(a.environments).map(([env, c]) => ({ app: name, env, config: c })),
    );
}

export function createHealthService(deps: HealthDeps): HealthService {
  const { health } = deps.config;
  // One bound for every check this service runs, env or database.
  const limit = pLimit(health.concurrency);

  const checkEnvs = (options: { includeDo?: boolean; app?: string } = {}) => {
    const includeDo = options.includeDo ?? true;
    return Promise.all(
      envTargets(deps.config, options.app).map((target) =>
        // The poll skips DO for envs with a health_url; envs without one have nothing else to go by.
        limit(() => checkEnv(deps, target, { includeDo: includeDo || !target.config.health_url })),
      ),
    );
  };

  return {
    checkEnvs,
    async report(app) {
      const started = performance.now();
      const dbNames = Object.keys(deps.config.databases);
      const [envs, databases, redis, locks] = await Promise.all([
        checkEnvs({ includeDo: true, ...(app ? { app } : {}) }),
        Promise.all(
          dbNames.map((name) =>
            limit(() =>
              probe(name, health.timeout_ms, () => deps.pingDatabase(name))
                .then((p) => withWarnings(p, deps))
                .then(scrubProbe),
            ),
          ),
        ),
        probe('redis', health.timeout_ms, () => deps.redis.ping()).then(scrubProbe),
        deps.locks.list(),
      ]);
      return {
        envs,
        databases,
        redis,
        locks: app ? locks.filter((l) => l.app === app) : locks,
        notices: deps.notices ?? [],
        checkedAt: new Date(deps.clock.now()).toISOString(),
        durationMs: performance.now() - started,
      };
    },
  };
}

async function withWarnings(p: ProbeHealth, deps: HealthDeps): Promise<ProbeHealth> {
  if (p.state !== 'good' || !deps.databaseWarnings) return p;
  const warnings = await deps.databaseWarnings(p.name).catch(() => []);
  return warnings.length > 0 ? { ...p, warnings } : p;
}

/** Driver errors can quote a connection string. */
function scrubProbe(p: ProbeHealth): ProbeHealth {
  return p.error ? { ...p, error: scrub(p.error) } : p;
}
