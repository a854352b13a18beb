import type { ReleasePlan, RolloutResult } from '../handlers/deploy/target.js';
import type { CommandOutcome } from './types.js';

/** What the command's audit entry says about a Droplet rollout it ran (the progress message says the rest). */
export function outcomeOf(label: string, plan: ReleasePlan, result: RolloutResult): CommandOutcome {
  const detail = result.ok
    ? `${plan.kind} of ${label} to release ${plan.release.id} succeeded on ${result.updated.length} host(s)`
    : `${plan.kind} of ${label} to release ${plan.release.id} failed${result.failedHost ? ` on ${result.failedHost}` : ''}`;
  return { result: result.ok ? 'succeeded' : 'failed', detail, data: { releaseId: plan.release.id } };
}
