import { describe, expect, it } from 'vitest';
import type { RolloutResult } from '../../handlers/deploy/target.js';
import { dropletLineMessage } from '../../src/render/droplet-rollout.js';
import { dropletFinalReply, dropletStartReply, hostStepLine } from '../../src/render/droplet-thread.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const base = {
  kind: 'deploy' as const,
  app: 'api',
  env: 'production',
  user: 'U0ALICE',
  releaseId: 'r20261130T120000-abcd',
  command: '/deploy api production <!channel>',
  changes: [
    {
      service: 'backend',
      image: 'ghcr.io/acme/vulcan/backend',
      from: { digest: digest('a'), tag: 'v1' },
      to: { digest: digest('b'), tag: '<!channel>' },
    },
  ],
  hosts: [] as Array<[string, { step: 'host_done' | 'migrate' | 'host_failed' }]>,
  startedAt: 0,
  now: 65_000,
};
const text = (m: { blocks?: unknown[] }) => JSON.stringify(m.blocks);
const lineOf = (m: { blocks: unknown[] }) => {
  expect(m.blocks).toHaveLength(1);
  return (m.blocks[0] as { text: { text: string } }).text.text;
};

describe('the Droplet rollout line and its thread', () => {
  it('keeps the line one section while it runs: the hosts under way, their step, how many are done', () => {
    const m = dropletLineMessage({
      ...base,
      hosts: [
        ['10.0.0.5', { step: 'host_done' }],
        ['10.0.0.6', { step: 'migrate' }],
      ],
    });
    expect(m.text).toBe('Deploying api production: running');
    expect(lineOf(m)).toBe(
      ':hourglass_flowing_sand: *Deploying api production* (Droplets): `10.0.0.6` running the migration; 1 of 2 hosts done, 1 min 5 s',
    );
  });

  it('opens the thread with who asked, the command, the release and what changes, escaped', () => {
    const all = text(dropletStartReply({ ...base, lines: ['Approved by <@U0BOB>.'] }));
    expect(all).toContain('Requested by <@U0ALICE> · `/deploy api production &lt;!channel&gt;` · release');
    expect(all).toContain('Approved by <@U0BOB>.');
    expect(all).toContain('backend: `aaaaaaaaaaaa` (v1) → `bbbbbbbbbbbb` (&lt;!channel&gt;)');
    expect(all).not.toContain('<!channel>');
  });

  it('replies for a host step that matters, not for each poll of the same work', () => {
    const said = [
      hostStepLine({ step: 'resolve', host: 'h' }, undefined, 1000),
      hostStepLine({ step: 'pull', host: 'h' }, { step: 'resolve' }, 2000),
      hostStepLine({ step: 'host_health', host: 'h' }, { step: 'up' }, 3000),
      hostStepLine({ step: 'migrate', host: 'h' }, { step: 'up' }, 4000),
      hostStepLine({ step: 'host_done', host: 'h' }, { step: 'join_lb' }, 5000),
      hostStepLine({ step: 'restore', host: 'h' }, { step: 'host_done' }, 6000),
      hostStepLine({ step: 'restore', host: 'h' }, { step: 'restore' }, 7000),
      hostStepLine({ step: 'health_url' }, undefined, 8000),
    ];
    expect(said).toEqual([
      ':arrow_forward: `h` writing the release file (1 s)',
      undefined,
      undefined,
      ':arrow_forward: `h` running the migration (4 s)',
      ':white_check_mark: `h` done (5 s)',
      ':leftwards_arrow_with_hook: `h` going back to the previous release (6 s)',
      undefined,
      undefined,
    ]);
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
    const line = dropletLineMessage({ ...base, hosts: [[hostile, { step: 'host_failed' }]], result });
    const reply = dropletFinalReply({ ...base, result });
    expect(line.text).toBe('Deploying api production: failed');
    for (const all of [text(line), text(reply)]) {
      expect(all).not.toMatch(/<!(here|channel)>/);
      expect(all).not.toContain('<http://evil');
      expect(all).toContain('&lt;!');
    }
    // Exactly one code block, opened and closed by dockside: the tail's backticks cannot close it.
    const outcome = text(reply);
    expect(outcome.match(/```/g)).toHaveLength(2);
    expect(outcome).toContain('Put back on the previous release: `10.0.0.5`.');
    expect(outcome).toContain('could not be put back');
    expect(outcome).toContain('does not undo schema changes');
  });

  it('ends the line with ✅, where the release runs, and the duration; the thread says what health_url answered', () => {
    const result: RolloutResult = {
      ok: true,
      release: { id: base.releaseId, services: [] },
      updated: ['10.0.0.5', '10.0.0.6'],
      restored: [],
      notRestored: [],
      healthUrl: { ok: true, detail: '200 in 12 ms' },
    };
    const line = dropletLineMessage({ ...base, result });
    expect(line.text).toBe('Deploying api production: done');
    expect(lineOf(line)).toBe(
      `:white_check_mark: *Deployed api production* (Droplets): 2 hosts on \`${base.releaseId}\`, health_url ok, 1 min 5 s`,
    );
    const reply = dropletFinalReply({ ...base, result });
    expect(reply.text).toBe('Deploying api production: done, the details');
    expect(text(reply)).toContain(`Release \`${base.releaseId}\` runs on \`10.0.0.5\`, \`10.0.0.6\`.`);
    expect(text(reply)).toContain('health_url: 200 in 12 ms');
    // Nobody to wake when it went well.
    expect(text(reply)).not.toContain('<@U0ALICE>');
  });

  it('ends the line with ❌, the failing host and a short reason, and the duration; the thread mentions the requester', () => {
    const result: RolloutResult = {
      ok: false,
      release: { id: base.releaseId, services: [] },
      updated: [],
      failedHost: '10.0.0.6',
      reason: `backend did not become healthy within 30 s (${'x'.repeat(400)})`,
      logTail: 'backend-1 | database connection refused',
      restored: ['10.0.0.6', '10.0.0.5'],
      notRestored: [],
    };
    const line = lineOf(dropletLineMessage({ ...base, result }));
    expect(line).toMatch(
      /^:x: \*Deploying api production\* \(Droplets\): `10\.0\.0\.6` failed: backend did not become healthy within 30 s \(x+…, 1 min 5 s$/,
    );
    // The reason is cut to 160 characters: the line stays a line; the thread has it all.
    expect(line.length).toBeLessThan(260);
    const reply = text(dropletFinalReply({ ...base, result }));
    expect(reply).toContain('<@U0ALICE> *`10.0.0.6` failed*: backend did not become healthy');
    expect(reply).toContain('database connection refused');
    expect(reply).toContain('Put back on the previous release: `10.0.0.6`, `10.0.0.5`.');
  });
});
