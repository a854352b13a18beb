import { describe, expect, it } from 'vitest';
import type { WatchRecord } from '../../handlers/deploy/watchers.js';
import { deploymentMessage } from '../../src/render/deployment.js';
import { deploymentFinalReply, deploymentStartReply } from '../../src/render/deployment-thread.js';

const record: WatchRecord = {
  deploymentId: '3f9c1a2b-0000-4000-8000-000000000001',
  appId: 'app-1',
  app: 'web',
  env: 'production',
  kind: 'promote',
  user: 'U0ALICE',
  message: { channel: 'C0OPS', ts: '1.000001' },
  startedAt: '2026-11-30T10:00:00Z',
};
const now = Date.parse('2026-11-30T10:03:05Z');
const texts = (m: { blocks?: unknown[] }) =>
  (m.blocks ?? []).map((b) => (b as { text?: { text?: string } }).text?.text ?? '');

describe('the deployment line and its thread, as rendered', () => {
  it('keeps the channel line one line, whatever the reason says, with the buttons under it', () => {
    const actions = {
      type: 'actions' as const,
      elements: [
        { type: 'button' as const, action_id: 'x', text: { type: 'plain_text' as const, text: 'Roll back' } },
      ],
    };
    const line = deploymentMessage({
      record,
      now,
      outcome: { ok: false, lines: ['a', 'b'], short: 'live, health check failed:\n503\n  down' },
      actions,
    });
    expect(line.text).toBe('Promoting to web production: failed');
    expect(line.blocks).toHaveLength(2);
    expect(line.blocks[1]).toBe(actions);
    const [text] = texts(line);
    expect(text).toBe(
      ':x: *Promoting to web production*: live, health check failed: 503 down, 3 min 5 s · ' +
        `<https://cloud.digitalocean.com/apps/app-1/deployments/${record.deploymentId}|deployment 3f9c1a2b>`,
    );
  });

  it('pings the requester in the outcome only when someone must act, and only a Slack user', () => {
    const failed = deploymentFinalReply(record, { ok: false, lines: ['Failed after 2 min.'] }, true);
    expect(texts(failed).join('\n')).toBe(
      '<@U0ALICE> Failed after 2 min.\nThe buttons are on the message at the top of this thread.',
    );
    expect(texts(deploymentFinalReply(record, { ok: true, lines: ['Live after 2 min.'] }, false))).toEqual([
      'Live after 2 min.',
    ]);
    const pushed = { ...record, user: '' };
    expect(texts(deploymentFinalReply(pushed, { ok: false, lines: ['Failed.'] }, false))).toEqual([
      'Failed.',
    ]);
    expect(texts(deploymentStartReply(pushed))[0]).toMatch(
      /^Not started by dockside · <https:.*\|deployment 3f9c1a2b>$/,
    );
  });

  it('spreads long details over several sections instead of cutting them at 3,000 characters', () => {
    // The failure excerpt (up to 1,500 characters) beside other long lines: the code block stays whole.
    const excerpt = `\`\`\`${'npm ERR! x\n'.repeat(130)}\`\`\``;
    const lines = ['Failed.', excerpt, excerpt, 'The end.'];
    const reply = deploymentFinalReply(record, { ok: false, lines }, false);
    const sections = texts(reply);
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(sections.at(-1)).toContain('The end.');
    expect(sections.join('\n')).toBe(['<@U0ALICE> Failed.', excerpt, excerpt, 'The end.'].join('\n'));
  });
});
