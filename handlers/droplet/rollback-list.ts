import type { Release, ReleaseRecord, TargetReads } from '../deploy/target.js';
import { sameDigests } from './release-file.js';

/**
 * What a release id that can be picked looks like: release-log.ts names releases
 * `r20261130T122530-ab12`, a seeded or older log may use other names of the same letters.
 * It travels in a button's command text, so nothing else is taken back from a click.
 */
export const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One release of the log as a rollback list shows it. */
export interface ReleaseEntry {
  record: ReleaseRecord;
  /** What the hosts run now. */
  current: boolean;
  /** Set when it cannot be picked: why, in a few words. */
  notPickable?: string;
  /** A rollback that brought back the digests of an older release of this log. */
  sameAs?: string;
}

export interface ReleaseList {
  entries: ReleaseEntry[];
  /**
   * The release the hosts run (its id; `none` before the first release), or undefined
   * when the hosts could not be read or disagree: then `hostsProblem` says why.
   */
  currentId?: string;
  hostsProblem?: string;
}

/**
 * Why a release of the log cannot be rolled back to, or undefined when it can. Only a
 * release that reached every host and passed its checks is one to go back to; the
 * one the hosts run now would change nothing.
 */
export function whyNotPickable(record: ReleaseRecord, current: Release | undefined): string | undefined {
  if (!RELEASE_ID.test(record.id)) return 'has an id that cannot be picked';
  if (record.outcome === 'started') return 'never finished (running, or its replica stopped)';
  if (record.outcome !== 'succeeded') {
    const where = record.failure?.host ? ` on ${record.failure.host}` : '';
    return `${record.outcome === 'rolled_back' ? 'failed and was rolled back' : 'failed'}${where}`;
  }
  if (current && sameDigests(record.services, current.services)) return 'is what the hosts run now';
  return undefined;
}

/**
 * The env's recent releases, newest first, with the one its hosts run marked. The hosts
 * are read over SSH; when they cannot be read the list is still shown, without marks.
 */
export async function listDropletReleases(target: TargetReads, limit = 10): Promise<ReleaseList> {
  const [records, reading] = await Promise.all([
    target.releases(limit),
    target.currentRelease().then(
      (release) => ({ release }),
      (err: unknown) => ({ problem: err instanceof Error ? err.message : String(err) }),
    ),
  ]);
  const current = 'release' in reading ? reading.release : undefined;
  // The release file names its release; a host seeded by hand (or a log that lost the
  // entry) is matched by digests instead, newest entry first.
  const currentRecord = current
    ? (records.find((r) => r.id === current.id) ??
      records.find((r) => r.outcome === 'succeeded' && sameDigests(r.services, current.services)))
    : undefined;
  const entries = records.map((record, index): ReleaseEntry => {
    const older = records
      .slice(index + 1)
      .find((r) => r.outcome === 'succeeded' && sameDigests(r.services, record.services));
    const why = whyNotPickable(record, current);
    return {
      record,
      current: record === currentRecord,
      ...(why ? { notPickable: why } : {}),
      ...(record.kind === 'rollback' && older ? { sameAs: older.id } : {}),
    };
  });
  if ('problem' in reading) return { entries, hostsProblem: reading.problem };
  return { entries, currentId: current?.id ?? 'none' };
}
