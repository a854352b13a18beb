import type { Redis } from 'ioredis';
import type { Clock } from '../../src/clock.js';
import type { Config, EnvConfig } from '../../src/config/schema.js';
import type { DropletApi } from '../../src/do/droplets.js';
import type { DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createRegistryClient } from '../../src/registry/client.js';
import type { CommandReport } from '../../src/ssh/client.js';
import { createReleaseLog, type ReleaseLog } from '../droplet/release-log.js';
import { createDropletTarget } from '../droplet/target.js';
import type { CheckResult } from '../health/types.js';
import { createAppPlatformTarget } from './app-platform-target.js';
import type { DeployTarget, TargetKind } from './target.js';

export interface DeployTargetsDeps {
  config: Config;
  redis: Redis;
  droplets: DropletApi;
  /** App Platform envs' client; without it `get` refuses App Platform envs. */
  do?: DoClient;
  log: Logger;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  probeHealth: (url: string) => Promise<CheckResult>;
  /** How often a host's health is polled during a rollout (short in tests and the sandbox). */
  healthPollMs?: number;
  onCommand?: (report: CommandReport) => void;
}

/**
 * The deploy target of each configured env, built once at start-up (the composition
 * root hands this to commands, approvals and the summary). Which kind an env is comes
 * from the config: `app_id` or `droplets`.
 */
export interface DeployTargets {
  kindOf(app: string, env: string): TargetKind;
  /** The Droplet target of an env; refuses an App Platform env with the reason. */
  droplet(app: string, env: string): DeployTarget;
  /** The target of any env, App Platform or Droplets; refuses an env not in the config. */
  get(app: string, env: string): DeployTarget;
  /** Release logs of Droplet envs (rollback lists, the summary). */
  releases: ReleaseLog;
}

function envConfig(config: Config, app: string, env: string): EnvConfig {
  const found = config.apps[app]?.environments[env];
  if (!found) throw new DocksideError('unknown_env', `There is no env ${env} for ${app} in the config.`);
  return found;
}

export function createDeployTargets(deps: DeployTargetsDeps): DeployTargets {
  const registry = createRegistryClient({ registries: deps.config.registries, log: deps.log });
  const releases = createReleaseLog({ redis: deps.redis, clock: deps.clock });
  const built = new Map<string, DeployTarget>();
  const appPlatform = (app: string, env: string, config: EnvConfig): DeployTarget => {
    const key = `${app}/${env}`;
    const existing = built.get(key);
    if (existing) return existing;
    if (!deps.do || !config.app_id) {
      throw new DocksideError('not_available', `${app} ${env} has no App Platform client here.`);
    }
    const target = createAppPlatformTarget(
      { do: deps.do, healthTimeoutMs: deps.config.health.timeout_ms },
      { app, env, appId: config.app_id },
    );
    built.set(key, target);
    return target;
  };
  const targets: DeployTargets = {
    releases,
    get(app, env) {
      const config = envConfig(deps.config, app, env);
      return config.droplets ? targets.droplet(app, env) : appPlatform(app, env, config);
    },
    kindOf(app, env) {
      return envConfig(deps.config, app, env).droplets ? 'droplets' : 'app_platform';
    },
    droplet(app, env) {
      const key = `${app}/${env}`;
      const existing = built.get(key);
      if (existing) return existing;
      const config = envConfig(deps.config, app, env);
      if (!config.droplets) {
        throw new DocksideError('not_available', `${app} ${env} runs on App Platform, not on Droplets.`);
      }
      const target = createDropletTarget(
        {
          registry,
          releases,
          droplets: deps.droplets,
          log: deps.log,
          clock: deps.clock,
          sleep: deps.sleep,
          probeHealth: deps.probeHealth,
          ...(deps.healthPollMs !== undefined ? { healthPollMs: deps.healthPollMs } : {}),
          ...(deps.onCommand ? { onCommand: deps.onCommand } : {}),
        },
        { app, env, config },
      );
      built.set(key, target);
      return target;
    },
  };
  return targets;
}
