import type { Redis } from 'ioredis';
import type { Clock } from '../../src/clock.js';
import type { Config, EnvConfig } from '../../src/config/schema.js';
import type { DropletApi } from '../../src/do/droplets.js';
import type { DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createRegistryClient } from '../../src/registry/client.js';
import type { CommandReport } from '../../src/ssh/client.js';
import { createDropletActions } from '../droplet/actions.js';
import { createReleaseLog, type ReleaseLog } from '../droplet/release-log.js';
import type { DropletRunDeps } from '../droplet/run.js';
import { createDropletTarget } from '../droplet/target.js';
import type { CheckResult } from '../health/types.js';
import { type AppPlatformActionDeps, createAppPlatformActions } from './app-platform-actions.js';
import { createAppPlatformTarget } from './app-platform-target.js';
import type { DeployTarget, DropletTarget } from './target.js';

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
  /** What carrying out an action needs: intents, locks, audit, the follower, Slack. */
  runs: TargetRunDeps;
}

/** The run side of both kinds: App Platform's runners and the Droplet rollout runner. */
export type TargetRunDeps = Omit<AppPlatformActionDeps, 'do' | 'config' | 'clock' | 'log'> &
  Omit<DropletRunDeps, 'targets' | 'locks' | 'intents' | 'clock' | 'log'>;

/**
 * The deploy target of each configured env, built once at start-up (the composition
 * root hands this to commands, approvals and the summary). Which kind an env is comes
 * from the config: `app_id` or `droplets`.
 */
export interface DeployTargets {
  /** The rollout engine of a Droplet env; refuses an App Platform env with the reason. */
  droplet(app: string, env: string): DropletTarget;
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
  const engines = new Map<string, DropletTarget>();
  const built = new Map<string, DeployTarget>();
  const common = { clock: deps.clock, log: deps.log };

  function appPlatform(app: string, env: string, config: EnvConfig): DeployTarget {
    if (!deps.do || !config.app_id) {
      throw new DocksideError('not_available', `${app} ${env} has no App Platform client here.`);
    }
    const reads = createAppPlatformTarget(
      { do: deps.do, healthTimeoutMs: deps.config.health.timeout_ms },
      { app, env, appId: config.app_id },
    );
    const actions = createAppPlatformActions(
      { ...deps.runs, ...common, do: deps.do, config: deps.config },
      {
        app,
        env,
        appId: config.app_id,
        autoRollback: config.auto_rollback,
        ...(config.health_url ? { healthUrl: config.health_url } : {}),
      },
    );
    return { ...reads, ...actions };
  }

  function droplets(app: string, env: string, config: EnvConfig): DeployTarget {
    const engine = targets.droplet(app, env);
    return { ...engine, ...createDropletActions({ ...deps.runs, ...common, targets }, engine, config) };
  }

  const targets: DeployTargets = {
    releases,
    get(app, env) {
      const key = `${app}/${env}`;
      const existing = built.get(key);
      if (existing) return existing;
      const config = envConfig(deps.config, app, env);
      const target = config.droplets ? droplets(app, env, config) : appPlatform(app, env, config);
      built.set(key, target);
      return target;
    },
    droplet(app, env) {
      const key = `${app}/${env}`;
      const existing = engines.get(key);
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
          ...common,
          sleep: deps.sleep,
          probeHealth: deps.probeHealth,
          ...(deps.healthPollMs !== undefined ? { healthPollMs: deps.healthPollMs } : {}),
          ...(deps.onCommand ? { onCommand: deps.onCommand } : {}),
        },
        { app, env, config },
      );
      engines.set(key, target);
      return target;
    },
  };
  return targets;
}
