import { describe, expect, it } from 'vitest';
import type { RolloutResult } from '../../handlers/deploy/target.js';
import { dropletRolloutMessage } from '../../src/render/droplet-rollout.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const base = {
  kind: 'deploy' as const,
  app: 'api',
  env: 'production',
  user: 'U0ALICE',
  releaseId: 'r20261130T120000-abcd',
  changes: [
    {
      service: 'backend',
      image: 'ghcr.io/acme/vulcan/backend',
      from: { digest: digest('a'), tag: 'v1' },
      to: { digest: digest('b'), tag: '<!channel>' },
    },
  ],
  startedAt: 0,
  now: 65_000,
};
const text = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);

describe('the Droplet rollout message', () => {
  it('shows each host step while it runs', () => {
    const m = dropletRolloutMessage({
      ...base,
      hosts: [
        ['10.0.0.5', { step: 'host_done' }],
        ['10.0.0.6', { step: 'migrate' }],
      ],
    });
    expect(m.text).toBe('Deploying api production: running');
    expect(text(m)).toContain(':white_check_mark: `10.0.0.5`: done');
    expect(text(m)).toContain(':hourglass: `10.0.0.6`: running the migration');
    expect(text(m)).toContain('backend: `aaaaaaaaaaaa` (v1) → `bbbbbbbbbbbb`');
  });

  it('escapes what hosts, the registry and logs say: no mention, no link, no breaking out of a code block', () => {
    const hostile = '<!here>`*bold*`<http://evil|x>';
    const result: RolloutResult = {
      ok: false,
      release: { id: base.releaseId, services: [] },
      updated: [],
      failedHost: `10.0.0.6 ${hostile}`,
      reason: `host_health: ${hostile}`,
      logTail: `backend-1 | \`\`\` <!channel> ${hostile}`,
      restored: ['10.0.0.5'],
      notRestored: [{ host: '10.0.0.6', reason: `up failed: ${hostile}` }],
      migratedOn: '10.0.0.5',
    };
    const m = dropletRolloutMessage({ ...base, hosts: [[hostile, { step: 'host_failed' }]], result });
    const all = text(m);
    expect(m.text).toBe('Deploying api production: failed');
    expect(all).not.toMatch(/<!(here|channel)>/);
    expect(all).not.toContain('<http://evil');
    expect(all).toContain('&lt;!channel&gt;');
    // Exactly one code block, opened and closed by dockside: the tail's backticks cannot close it.
    const outcome = (m.blocks.at(-1) as { text: { text: string } }).text.text;
    expect(outcome.match(/```/g)).toHaveLength(2);
    expect(outcome).toContain('Put back on the previous release: `10.0.0.5`.');
    expect(outcome).toContain('could not be put back');
    expect(outcome).toContain('does not undo schema changes');
  });

  it('ends with where the release runs and what health_url answered', () => {
    const result: RolloutResult = {
      ok: true,
      release: { id: base.releaseId, services: [] },
      updated: ['10.0.0.5', '10.0.0.6'],
      restored: [],
      notRestored: [],
      healthUrl: { ok: true, detail: '200 in 12 ms' },
    };
    const m = dropletRolloutMessage({ ...base, hosts: [], result });
    expect(m.text).toBe('Deploying api production: done');
    expect(text(m)).toContain(`Release \`${base.releaseId}\` runs on \`10.0.0.5\`, \`10.0.0.6\`.`);
    expect(text(m)).toContain('health_url: 200 in 12 ms');
  });
});
