import { Cron } from 'croner';
import { closest, distance } from 'fastest-levenshtein';

/**
 * Checks of single values that zod cannot express, each returning what is wrong in
 * words (or null), so the schema and the document checks share one wording.
 */

/** croner's own parser: what the scheduler will run is exactly what was checked. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err))
      .replace(/^CronPattern:\s*/i, '')
      .replace(/\s*\(.*?\)/, '');
    return `"${expression}" is not a cron expression (${lowerFirst(reason)}); use five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"`;
  }
}

const ZONES = (): string[] => [...Intl.supportedValuesOf('timeZone'), 'UTC'];

export function timeZoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    const guess = didYouMean(zone, ZONES());
    return `"${zone}" is not a time zone${guess ? `; did you mean "${guess}"?` : ''} (IANA names such as Europe/Berlin or UTC)`;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidProblem(value: string, what: string, lookup: string): string | null {
  if (UUID.test(value)) return null;
  return `"${value}" is not ${what} ID: it is a UUID such as 6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601 (${lookup})`;
}

/**
 * The known word a typo most likely meant: the same word in another case, a word it
 * abbreviates (`prod` -> `production`), or the closest by edit distance when at most
 * about a third of its letters differ (`stagin` -> `staging`; `qa` suggests nothing).
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0 || word.length === 0) return undefined;
  const lower = word.toLowerCase();
  const exactCase = known.find((k) => k.toLowerCase() === lower);
  if (exactCase) return exactCase;
  if (lower.length >= 3) {
    const longer = known.filter((k) => k.toLowerCase().startsWith(lower));
    if (longer.length === 1) return longer[0];
  }
  const best = closest(
    lower,
    known.map((k) => k.toLowerCase()),
  );
  const limit = Math.max(1, Math.ceil(Math.max(lower.length, best.length) / 3));
  if (distance(lower, best) > limit) return undefined;
  return known.find((k) => k.toLowerCase() === best);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
