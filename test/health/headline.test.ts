import { describe, expect, it } from 'vitest';
import type { EnvHealth, HealthState } from '../../handlers/health/types.js';
import { renderHealthReport } from '../../src/render/health.js';

const env = (name: string, state: HealthState): EnvHealth => ({
  app: 'web',
  env: name,
  appId: `id-${name}`,
  state,
  checks: [],
});

const headline = (envs: EnvHealth[]) =>
  renderHealthReport(
    {
      envs,
      databases: [],
      redis: { name: 'redis', state: 'good', latencyMs: 1 },
      locks: [],
      checkedAt: '2026-11-30T09:00:00Z',
      durationMs: 5,
    },
    Date.parse('2026-11-30T09:00:00Z'),
  ).text.split('\n')[0];

// Issue 13, degraded: envs that could not be read were counted as healthy in the headline.
describe('/health headline', () => {
  it('counts envs it could not read as unknown, not healthy', () => {
    expect(headline([env('a', 'good'), env('b', 'unknown'), env('c', 'unknown')])).toBe(
      ':grey_question: *1 of 3 envs healthy, 2 unknown* (could not be checked)',
    );
  });

  it('leads with the unhealthy ones and still names the unknown', () => {
    expect(headline([env('a', 'bad'), env('b', 'unknown'), env('c', 'good')])).toBe(
      ':x: *1 of 3 envs unhealthy, 1 unknown*',
    );
  });

  it('says healthy only when every env was checked and is', () => {
    expect(headline([env('a', 'good'), env('b', 'good')])).toBe(':white_check_mark: *2 envs healthy*');
  });
});
