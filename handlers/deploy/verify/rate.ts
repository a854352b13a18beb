/**
 * "Did the runtime error rate get worse?", as pure functions over log text.
 *
 * DigitalOcean's runtime log lines read `<component> <RFC 3339 time> <text>`. The new
 * deployment is judged on every error line it logged up to the end of its window
 * (lines before ACTIVE are its own start-up), per minute of the window. The previous
 * deployment is judged on its last window: the lines in the `window` before its last
 * timestamped line. The check fails only when both hold:
 *   - the new deployment logged more than `allowedLines` error lines, and
 *   - its error lines per minute exceed `factor` times the previous deployment's.
 * So 0 -> 1 line passes (default allowedLines 3) unless allowedLines is 0, and an app
 * that always logs 10 errors a minute is not failed for logging 12.
 */
import type { LineTest } from '../../logs/grep.js';

const STAMPED = /^\S+\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))\s/;

export interface LogLine {
  text: string;
  /** ms since the epoch; undefined when the line carries no time. */
  at?: number;
}

export function parseLogLines(text: string): LogLine[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    const m = STAMPED.exec(line);
    const at = m?.[1] ? Date.parse(m[1]) : Number.NaN;
    return Number.isFinite(at) ? { text: line, at } : { text: line };
  });
}

export interface WindowCount {
  /** Error lines counted. */
  count: number;
  perMinute: number;
  /** The matching lines, oldest first. */
  matches: string[];
}

const perMinute = (count: number, windowMs: number) => (windowMs > 0 ? count / (windowMs / 60_000) : 0);

/** The new deployment: error lines up to `endsAt` (unstamped lines count: they are its own). */
export function countNew(lines: LogLine[], test: LineTest, endsAt: number, windowMs: number): WindowCount {
  const matches = lines
    .filter((l) => (l.at === undefined || l.at <= endsAt) && test(l.text))
    .map((l) => l.text);
  return { count: matches.length, perMinute: perMinute(matches.length, windowMs), matches };
}

/**
 * The previous deployment's last window: lines stamped in (last - window, last], where
 * last is its newest stamped line no later than `before` (the new one's start). A log
 * without any times counts whole, over one window: the best that can be said of it.
 */
export function countPrevious(
  lines: LogLine[],
  test: LineTest,
  windowMs: number,
  before?: number,
): WindowCount {
  const stamped = lines.filter((l) => l.at !== undefined && (before === undefined || l.at <= before));
  const last = stamped.reduce((max, l) => Math.max(max, l.at ?? 0), Number.NEGATIVE_INFINITY);
  const inWindow = Number.isFinite(last)
    ? stamped.filter((l) => (l.at ?? 0) > last - windowMs)
    : lines.filter((l) => l.at === undefined);
  const matches = inWindow.filter((l) => test(l.text)).map((l) => l.text);
  return { count: matches.length, perMinute: perMinute(matches.length, windowMs), matches };
}

export interface RateVerdict {
  ok: boolean;
  /** Error lines per minute above which the new deployment fails (after allowedLines). */
  limitPerMinute: number;
}

export function judgeRate(
  current: WindowCount,
  previous: WindowCount | undefined,
  options: { allowedLines: number; factor: number },
): RateVerdict {
  const limitPerMinute = (previous?.perMinute ?? 0) * options.factor;
  const worse = current.perMinute > limitPerMinute;
  return { ok: current.count <= options.allowedLines || !worse, limitPerMinute };
}

/** 0.2/min, 12/min: short and without false precision. */
export function formatRate(perMinute: number): string {
  if (perMinute === 0) return '0/min';
  if (perMinute >= 10) return `${Math.round(perMinute)}/min`;
  return `${Number(perMinute.toFixed(1))}/min`;
}
