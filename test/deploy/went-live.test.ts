import { describe, expect, it } from 'vitest';
import { wentLive } from '../../handlers/deploy/watch.js';
import type { Deployment, DeploymentPhase } from '../../src/do/port.js';

const deployment = (phase: DeploymentPhase, success: number, total: number, errors = 0): Deployment => ({
  id: 'd-1',
  phase,
  cause: 'manual',
  createdAt: '2026-11-22T10:00:00Z',
  updatedAt: '2026-11-22T10:05:00Z',
  progress: { successSteps: success, totalSteps: total, errorSteps: errors, steps: [] },
  components: [],
});

describe('wentLive', () => {
  it('counts a deployment that a newer one replaced after it was ACTIVE as live, not failed', () => {
    expect(wentLive(deployment('SUPERSEDED', 6, 6))).toBe(true);
    expect(wentLive(deployment('ACTIVE', 6, 6))).toBe(true);
  });

  it('does not count one replaced before it finished, nor errors and cancellations', () => {
    expect(wentLive(deployment('SUPERSEDED', 2, 6))).toBe(false);
    expect(wentLive(deployment('SUPERSEDED', 0, 0))).toBe(false);
    expect(wentLive(deployment('ERROR', 5, 6, 1))).toBe(false);
    expect(wentLive(deployment('CANCELED', 1, 6))).toBe(false);
  });
});
