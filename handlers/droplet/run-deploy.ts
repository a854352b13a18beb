import { DocksideError } from '../../src/errors.js';
import { shortDigest } from '../../src/registry/image.js';
import { escapeText } from '../../src/render/format.js';
import type { DropletTarget, ReleasePlan } from '../deploy/target.js';

/**
 * A Droplet deploy by tag as an approval request: the card shows each service's move
 * (from -> to digests, the tag) and the request binds the digests on both sides. The
 * release id is left out of the binding: it is new on every plan, and two requests for
 * the same move are the same request.
 */
export function deployApproval(target: Pick<DropletTarget, 'describe'>, plan: ReleasePlan, tag: string) {
  const { release_id: _id, ...binding } = plan.binding;
  const description = target.describe(plan);
  const summary = [
    `${escapeText(description.title)} (Droplets), images tagged \`${escapeText(tag, 'code')}\`, by digest:`,
    ...description.lines.map((l) => `• ${escapeText(l)}`),
    `If ${escapeText(plan.env)} or the tag moves before the deploy runs, the request is void.`,
  ].join('\n');
  return { summary, binding, params: { tag } };
}

const flatDigests = (binding: Record<string, string>, key: string) =>
  (binding[key] ?? 'none')
    .split(',')
    .map((pair) => {
      const [service, digest] = pair.split('=');
      return digest ? `${service} ${shortDigest(digest)}` : pair;
    })
    .join(', ');

/**
 * The approved deploy, planned again now. What was approved is the move from the
 * digests running then to the digests the tag named then: if either moved, the person
 * approved something that no longer describes what would happen.
 */
export async function replanApproved(
  target: Pick<DropletTarget, 'planDeploy' | 'app' | 'env'>,
  approved: { binding: Record<string, string>; params: Record<string, string>; command: string },
): Promise<ReleasePlan> {
  const tag = approved.params.tag ?? 'latest';
  const plan = await target.planDeploy({ tag });
  const label = `${target.app} ${target.env}`;
  const hint = `Run \`${escapeText(approved.command, 'code')}\` again to ask for a new approval.`;
  if (plan.binding.current !== approved.binding.current) {
    throw new DocksideError(
      'approval_stale',
      `${label} changed since this deploy was approved (ran ${flatDigests(approved.binding, 'current')}, now ${flatDigests(plan.binding, 'current')}), so nothing was done.`,
      { hint },
    );
  }
  if (plan.binding.release !== approved.binding.release) {
    throw new DocksideError(
      'approval_stale',
      `The tag ${tag} names other images than when this deploy was approved (then ${flatDigests(approved.binding, 'release')}, now ${flatDigests(plan.binding, 'release')}), so nothing was done.`,
      { hint },
    );
  }
  return plan;
}
