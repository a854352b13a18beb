import { DocksideError, isDocksideError } from '../../src/errors.js';
import { shortDigest } from '../../src/registry/image.js';
import type { Release, ReleasePlan, TargetReads } from '../deploy/target.js';
import { sameDigests } from './release-file.js';

export type DropletPromotion =
  /** The target env already runs the source env's digests. */
  { nothingToDo: true; source: Release } | { nothingToDo: false; source: Release; plan: ReleasePlan };

/**
 * A promotion between Droplet envs: the target env is to run exactly the digests the
 * source env's hosts run now, with the tags they came from, so what was verified is what
 * ships. A source whose hosts disagree has no one release to promote: refused with what
 * each host runs. The binding adds the source's release, so an approval goes stale when
 * the source moves as well as when the target does.
 */
export async function planDropletPromote(from: TargetReads, to: TargetReads): Promise<DropletPromotion> {
  let source: Release | undefined;
  try {
    source = await from.currentRelease();
  } catch (err) {
    // A mixed source (a rollout that stopped half-way, a host changed by hand) is refused as
    // a promotion problem; a host that cannot be reached keeps its own error.
    if (!isDocksideError(err, 'deploy_failed')) throw err;
    throw new DocksideError('promote_not_possible', `Cannot promote ${from.app}: ${err.message}`, {
      hint: `Deploy ${from.app} ${from.env} again so its hosts agree, check it, then promote.`,
    });
  }
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
    return { nothingToDo: true, source };
  }
  return {
    nothingToDo: false,
    source,
    plan: {
      ...plan,
      binding: {
        ...plan.binding,
        from_env: from.env,
        from_release: source.id,
        from_digests: flatDigests(source),
      },
    },
  };
}

/** `backend=sha256:…,frontend=sha256:…`: what an approval compares, independent of release ids. */
export function flatDigests(release: Release | undefined): string {
  if (!release) return 'none';
  return release.services
    .map((s) => `${s.service}=${s.digest}`)
    .sort()
    .join(',');
}

/** `backend 1a2b3c4d5e6f, frontend …` for a stale-approval message. */
function readable(flat: string | undefined): string {
  if (!flat || flat === 'none') return 'nothing';
  return flat
    .split(',')
    .map((pair) => {
      const [service, digest] = pair.split('=');
      return `${service} ${shortDigest(digest ?? '')}`;
    })
    .join(', ');
}

/**
 * An approved Droplet plan still describes what would happen: each bound key (`current`:
 * what the target env runs, `from_digests`: what the source runs) is unchanged, or the
 * approval is void and says what moved.
 */
export function assertBindingHolds(
  approved: Record<string, string>,
  fresh: Record<string, string>,
  keys: Array<{ key: string; what: string }>,
  command: string,
): void {
  for (const { key, what } of keys) {
    if (approved[key] === fresh[key]) continue;
    throw new DocksideError(
      'approval_stale',
      `${what} changed since this was requested (was ${readable(approved[key])}, now ${readable(fresh[key])}), so this approval is void and nothing was done.`,
      { hint: `Run \`${command}\` again to ask for a new approval.` },
    );
  }
}
