import { DocksideError } from '../../src/errors.js';
import { escapeText } from '../../src/render/format.js';
import type { ReleasePlan, ReleaseRecord, TargetReads } from '../deploy/target.js';
import { RELEASE_ID, whyNotPickable } from './rollback-list.js';

/** As many releases as release-log.ts keeps. */
const LOG_SIZE = 100;

export interface DropletRollbackPlan {
  plan: ReleasePlan;
  /** The release of the log being gone back to. */
  record: ReleaseRecord;
}

/**
 * A rollback of a Droplet env to a release of its log: the same digests (and the tags
 * they came from) re-deployed host by host, pulling only what a host no longer has.
 * Refuses an id the log does not hold, a release that never finished well, and the
 * release the hosts run now. The binding adds which release is gone back to, so an
 * approval names it.
 */
export async function planDropletRollback(input: {
  target: TargetReads;
  releaseId: string;
  /** From a list's button: the release the hosts ran when the list was shown (`none` for nothing). */
  listState?: string;
}): Promise<DropletRollbackPlan> {
  const { target, releaseId } = input;
  const label = `${target.app} ${target.env}`;
  const list = { hint: `\`/rollback ${label}\` lists the releases you can pick.` };
  // The whole log (it keeps the last 100): an id from an old list still finds its release.
  const record = RELEASE_ID.test(releaseId)
    ? (await target.releases(LOG_SIZE)).find((r) => r.id === releaseId)
    : undefined;
  if (!record) {
    throw new DocksideError(
      'rollback_invalid',
      `There is no release \`${escapeText(releaseId.slice(0, 64), 'code')}\` in the release log of ${label}.`,
      list,
    );
  }
  const plan = await target.planRelease({ id: record.id, services: record.services }, 'rollback');
  // A list is superseded once the hosts run something else (another of its buttons, a
  // deploy): said before anything else, as the list's words no longer hold.
  if (input.listState !== undefined && input.listState !== (plan.current?.id ?? 'none')) {
    throw new DocksideError(
      'rollback_invalid',
      `That list of ${label} is out of date: ${label} has had another release since it was shown.`,
      { hint: `Run \`/rollback ${label}\` for a current list.` },
    );
  }
  const why = whyNotPickable(record, plan.current);
  if (why) {
    // The log's words came from hosts and people: escaped like any outside text.
    const reason =
      record.outcome !== 'succeeded' && record.failure?.reason ? ` (${record.failure.reason})` : '';
    throw new DocksideError(
      'rollback_invalid',
      `Cannot roll ${label} back to ${escapeText(record.id)}: it ${escapeText(`${why}${reason}`)}.`,
      list,
    );
  }
  return { plan: { ...plan, binding: { ...plan.binding, rollback_to: record.id } }, record };
}
