import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, newApproval } from '../helpers/approvals.js';
import { answerTo } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { type ProxiedRequest, slackMethod } from './helpers/http-fault-proxy.js';

const { alice } = SANDBOX_USERS;
const cardToOps = (req: ProxiedRequest) =>
  slackMethod(req) === 'chat.postMessage' &&
  decodeURIComponent(req.body).includes(`channel=${SANDBOX_CHANNELS.ops}`);

// Issue 13, degraded: a failed chat.postMessage of the approval card left a stored, audited
// request that nobody could see or approve until it expired.
describe('posting the approval card', async () => {
  const { world, slackProxy } = await faultWorld();

  it('is retried when Slack answers 500 or ratelimited', async () => {
    const before = approvalMessages(world.slack).length;
    const stop = [
      slackProxy.times(1, cardToOps, { status: 500, body: '' }),
      slackProxy.times(1, cardToOps, { status: 200, body: '{"ok":false,"error":"ratelimited"}' }),
    ];
    const res = await world.driver.command(alice, SANDBOX_CHANNELS.dev, '/deploy', 'web production');
    expect((await answerTo(world, res, 10_000)).text).toMatch(/^Asked for approval/);
    expect((await newApproval(world.slack, before)).text).toBe('Approval needed: Deploy web production');
    for (const s of stop) s();
  });

  it('that Slack never takes cancels the request and tells the requester', async () => {
    const before = approvalMessages(world.slack).length;
    const stop = slackProxy.rule((req) => (cardToOps(req) ? { status: 503, body: '' } : undefined));
    // Another app than the first test's, whose request is still pending (it would be returned as a duplicate).
    const res = await world.driver.command(alice, SANDBOX_CHANNELS.dev, '/deploy', 'erp production');
    const answer = await answerTo(world, res, 15_000);
    stop();
    expect(answer.text).toMatch(
      /^The approval request could not be posted in <#C0OPS> \(Slack: HTTP 503\), so it was cancelled and nothing will run\. Try again in a minute/,
    );
    expect(approvalMessages(world.slack)).toHaveLength(before);
    const entries = await world.bot.audit.list({ app: 'erp', limit: 5 });
    const cancel = entries.find((e) => e.action === 'approval.cancel');
    expect(cancel).toMatchObject({ actor: 'dockside', result: 'cancelled' });
    const id = String(cancel?.data?.approvalId);
    expect((await world.bot.approvals.get(id))?.state).toBe('cancelled');
  });
});
