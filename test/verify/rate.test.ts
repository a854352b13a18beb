import { describe, expect, it } from 'vitest';
import {
  countNew,
  countPrevious,
  formatRate,
  judgeRate,
  parseLogLines,
} from '../../handlers/deploy/verify/rate.js';
import { compileGrep } from '../../handlers/logs/grep.js';

const errors = compileGrep('error|exception|panic|fatal', 'test');
const T0 = Date.parse('2026-11-30T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const log = (lines: Array<[number, string]>) => lines.map(([ms, text]) => `web ${at(ms)} ${text}`).join('\n');
const WINDOW = 5 * 60_000;
const defaults = { allowedLines: 3, factor: 2 };

describe('runtime error rate against the previous deployment', () => {
  it('reads DigitalOcean run-log lines with their times; a line without one keeps none', () => {
    const lines = parseLogLines(`${log([[0, 'GET / 200']])}\nplain line\n`);
    expect(lines).toEqual([{ text: `web ${at(0)} GET / 200`, at: T0 }, { text: 'plain line' }]);
  });

  it('counts the new deployment up to the end of its window, case-insensitively, per minute', () => {
    const lines = parseLogLines(
      log([
        [0, 'Server listening'],
        [10_000, 'ERROR db timeout'],
        [20_000, 'Unhandled Exception in /cart'],
        [WINDOW + 1000, 'FATAL after the window'],
      ]),
    );
    const c = countNew(lines, errors, T0 + WINDOW, WINDOW);
    expect(c.count).toBe(2);
    expect(c.perMinute).toBeCloseTo(0.4);
    expect(c.matches).toEqual([
      `web ${at(10_000)} ERROR db timeout`,
      `web ${at(20_000)} Unhandled Exception in /cart`,
    ]);
  });

  it("takes the previous deployment's last window, before the new one started", () => {
    const lines = parseLogLines(
      log([
        [-20 * 60_000, 'error long ago'],
        [-4 * 60_000, 'error in the last window'],
        [-60_000, 'panic: also in it'],
        [60_000, 'error after the new one started (its log overlaps)'],
      ]),
    );
    const p = countPrevious(lines, errors, WINDOW, T0);
    expect(p.count).toBe(2);
    expect(p.matches[0]).toContain('error in the last window');
  });

  it('0 -> 1 error line is not a failure by default, but is with allowed_lines 0', () => {
    const none = { count: 0, perMinute: 0, matches: [] };
    const one = { count: 1, perMinute: 0.2, matches: ['x'] };
    expect(judgeRate(one, none, defaults).ok).toBe(true);
    expect(judgeRate(one, none, { ...defaults, allowedLines: 0 }).ok).toBe(false);
  });

  it('fails when more than allowed_lines and above factor x the previous rate; a noisy app logging the same passes', () => {
    const previous = { count: 10, perMinute: 2, matches: [] };
    expect(judgeRate({ count: 12, perMinute: 2.4, matches: [] }, previous, defaults).ok).toBe(true);
    expect(judgeRate({ count: 25, perMinute: 5, matches: [] }, previous, defaults)).toEqual({
      ok: false,
      limitPerMinute: 4,
    });
    // Without a previous deployment its rate counts as 0.
    expect(judgeRate({ count: 4, perMinute: 0.8, matches: [] }, undefined, defaults).ok).toBe(false);
  });

  it('says rates briefly', () => {
    expect([0, 0.2, 1.25, 12.4].map(formatRate)).toEqual(['0/min', '0.2/min', '1.3/min', '12/min']);
  });
});
