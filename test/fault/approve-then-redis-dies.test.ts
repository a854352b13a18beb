import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;

// Issue 13, broken 1: the approve transition and the claim of the run were two steps, so
// Redis dying between them left the request `approved` forever, unaudited and unrun.
describe('Redis dies right after the approve transition', async () => {
  const redis = await startRedisServer();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
  const world = await testWorld({ redisUrl: proxy.url, bot: { recoveryTickMs: 200 } });

  it('the card says it was not run, and once Redis is back the request is closed and audited', async () => {
    const { slack, driver, sim } = world;
    const before = approvalMessages(slack).length;
    await driver.command(alice, SANDBOX_CHANNELS.dev, '/deploy', 'web production');
    const card = await newApproval(slack, before);
    const died = proxy.cutAfterReply('"state":"running"');
    await click(driver, bob, card, 'Approve');
    await died;

    // While Redis is gone, the card already tells the truth: approved, not run.
    await waitFor('the card to say it was not run', () => card.text.startsWith('Approval failed'), 5000);
    expect(JSON.stringify(card.blocks)).toContain('Not run');
    expect(sim.requests({ method: 'POST' })).toHaveLength(0);

    proxy.restore();
    const id = /request ([A-Za-z0-9_-]+)/.exec(JSON.stringify(slack.ephemerals))?.[1] ?? '';
    await waitFor(
      'the request to be closed',
      async () => (await world.bot.approvals.get(id).catch(() => null))?.state === 'failed',
      10_000,
    );
    const entries = await world.bot.audit.list({ app: 'web', limit: 50 });
    const approval = entries.find((e) => e.action === 'approval.approve' && e.result === 'approved');
    expect(approval?.actor).toBe(bob);
    expect(entries.find((e) => e.action === 'approval.outcome.deploy')?.result).toBe('failed');
    expect(sim.requests({ method: 'POST' })).toHaveLength(0);

    // A late click (from an older copy of the card) hears the truth, not "already approved".
    expect(await world.bot.approvals.approve(id, bob)).toBe(
      'This request already ran and failed; your click changed nothing.',
    );
  });
});
