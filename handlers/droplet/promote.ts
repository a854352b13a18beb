import { DocksideError } from '../../src/errors.js';
import type { DeployTarget, ReleasePlan } from '../deploy/target.js';
import { sameDigests } from './release-file.js';

/**
 * Promotion between Droplet envs: production is to run exactly the digests staging
 * runs now (with the tags they came from), so what was verified is what ships.
 */
export async function planDropletPromotion(from: DeployTarget, to: DeployTarget): Promise<ReleasePlan> {
  const source = await from.currentRelease();
  if (!source) {
    throw new DocksideError(
      'promote_not_possible',
      `${from.app} ${from.env} has no release to promote yet.`,
      {
        hint: `Deploy ${from.app} ${from.env} first.`,
      },
    );
  }
  const plan = await to.planRelease(source, 'promote');
  if (plan.current && sameDigests(plan.current.services, source.services)) {
    throw new DocksideError(
      'promote_not_possible',
      `${to.app} ${to.env} already runs what ${from.app} ${from.env} runs; nothing to promote.`,
    );
  }
  return { ...plan, binding: { ...plan.binding, from_env: from.env, from_release: source.id } };
}
