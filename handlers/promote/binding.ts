import { type ComponentRun, runIdentity, shortDigest, shortSha } from './components.js';

/**
 * The binding of a promotion approval: the exact things it was shown (app ids,
 * deployment ids, per-component commit or digest). Flat strings, because an approval
 * request stores it in Redis and compares it again before running.
 */

export const COMPONENT_KEY_PREFIX = 'component:';

export interface EnvRef {
  env: string;
  appId: string;
}

export function bindingOf(
  from: EnvRef,
  to: EnvRef,
  fromDeploymentId: string,
  toDeploymentId: string | undefined,
  stagingRuns: ComponentRun[],
): Record<string, string> {
  const binding: Record<string, string> = {
    from_env: from.env,
    from_app_id: from.appId,
    from_deployment_id: fromDeploymentId,
    to_env: to.env,
    to_app_id: to.appId,
    to_deployment_id: toDeploymentId ?? 'none',
  };
  for (const run of stagingRuns)
    binding[`${COMPONENT_KEY_PREFIX}${run.name}`] = runIdentity(run) ?? 'unknown';
  return binding;
}

/** A sentence saying what moved since the approval, or undefined when nothing did. */
export function staleness(approved: Record<string, string>, now: Record<string, string>): string | undefined {
  if (approved.from_app_id !== now.from_app_id || approved.to_app_id !== now.to_app_id) {
    return 'The app ids in the config changed since this was approved. Ask for a new /promote.';
  }
  const approvedRuns = runsOf(approved);
  const nowRuns = runsOf(now);
  if (approved.from_deployment_id !== now.from_deployment_id || approvedRuns !== nowRuns) {
    return (
      `${capitalized(now.from_env ?? 'staging')} moved on since this was approved (now runs ${nowRuns || now.from_deployment_id}, ` +
      `approved ${approvedRuns || approved.from_deployment_id}). Ask for a new /promote.`
    );
  }
  if (approved.to_deployment_id !== now.to_deployment_id) {
    return (
      `${capitalized(now.to_env ?? 'production')} changed since this was approved (active deployment now ${now.to_deployment_id}, ` +
      `approved ${approved.to_deployment_id}). Ask for a new /promote.`
    );
  }
  return undefined;
}

function runsOf(binding: Record<string, string>): string {
  return Object.keys(binding)
    .filter((k) => k.startsWith(COMPONENT_KEY_PREFIX))
    .sort()
    .map((k) => `${k.slice(COMPONENT_KEY_PREFIX.length)} ${shortIdentity(binding[k] ?? '')}`)
    .join(', ');
}

export function shortIdentity(identity: string): string {
  if (identity.startsWith('git:')) return `commit ${shortSha(identity.slice(4))}`;
  if (identity.startsWith('image:')) return shortDigest(identity.slice(6));
  return identity;
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
