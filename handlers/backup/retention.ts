/** Counts of dumps to keep, as in `backups.retention`. */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetentionPlan {
  /** id -> why it is kept (`daily`, `weekly`, `monthly`, `newest`, `recent`). */
  keep: Map<string, string[]>;
  prune: string[];
}

const DAY = 86_400_000;
/** Dumps younger than this are never pruned, so a manual dump taken today survives the nightly run. */
const GRACE_MS = DAY;

/**
 * Grandfather-father-son retention in UTC: the newest dump of each of the last `daily`
 * days, of each of the last `weekly` ISO weeks and of each of the last `monthly` months
 * is kept; so is the newest dump overall and anything younger than a day.
 */
export function planRetention(
  dumps: Array<{ id: string; createdAt: string }>,
  policy: RetentionPolicy,
  now: number,
): RetentionPlan {
  const sorted = [...dumps].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const keep = new Map<string, string[]>();
  const mark = (id: string, why: string) => keep.set(id, [...(keep.get(id) ?? []), why]);

  const buckets: Array<{ name: string; limit: number; bucket: (t: number) => number }> = [
    { name: 'daily', limit: policy.daily, bucket: dayNumber },
    { name: 'weekly', limit: policy.weekly, bucket: weekNumber },
    { name: 'monthly', limit: policy.monthly, bucket: monthNumber },
  ];
  for (const { name, limit, bucket } of buckets) {
    const current = bucket(now);
    const seen = new Set<number>();
    for (const dump of sorted) {
      const b = bucket(Date.parse(dump.createdAt));
      if (current - b >= limit || seen.has(b)) continue;
      seen.add(b);
      mark(dump.id, name);
    }
  }
  const newest = sorted[0];
  if (newest) mark(newest.id, 'newest');
  for (const dump of sorted) if (now - Date.parse(dump.createdAt) < GRACE_MS) mark(dump.id, 'recent');
  return { keep, prune: sorted.filter((d) => !keep.has(d.id)).map((d) => d.id) };
}

function dayNumber(t: number): number {
  return Math.floor(t / DAY);
}

/** ISO weeks start on Monday; 1970-01-01 was a Thursday, hence the 3-day shift. */
function weekNumber(t: number): number {
  return Math.floor((dayNumber(t) + 3) / 7);
}

function monthNumber(t: number): number {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}
