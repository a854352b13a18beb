import { type Config, durationMs } from '../../../src/config/schema.js';
import type { VerifyPlan } from './types.js';

/**
 * The verification plan of an env, read from dockside.yml when the deployment goes
 * ACTIVE (not stored in the record: a config fix applies to a window still running).
 * Undefined: the env has no `verify:` and only health_url is checked, as before.
 */
export function verifyPlans(config: Config) {
  return (app: string, env: string): VerifyPlan | undefined => {
    const verify = config.apps[app]?.environments[env]?.verify;
    if (!verify) return undefined;
    return {
      ...(verify.health ? { health: verify.health } : {}),
      ...(verify.logs
        ? {
            logs: {
              windowMs: durationMs(verify.logs.window),
              pattern: verify.logs.pattern,
              ...(verify.logs.component ? { component: verify.logs.component } : {}),
              allowedLines: verify.logs.allowed_lines,
              factor: verify.logs.factor,
            },
          }
        : {}),
      jobs: verify.jobs,
    };
  };
}
