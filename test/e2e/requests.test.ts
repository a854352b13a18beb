import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, bob, carol, dave } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

/** Everyday requests: duplicates, names that are not apps, who may read the audit log, words. */
describe('everyday requests', async () => {
  const world = await testWorld();
  const { driver, slack } = world;
  const say = async (user: string, command: string, text: string) =>
    (await answerTo(world, await driver.command(user, dev, command, text))).text;

  it('points a second identical production request to the pending one instead of filing another', async () => {
    const cards = approvalMessages(slack).length;
    const first = await say(alice, '/deploy', 'web production');
    expect(first).toMatch(
      /^Asked for approval in <#C0OPS> \(request (\S+), needs 1 approver, expires in 30 min\)/,
    );
    const id = /request (\S+),/.exec(first)?.[1];
    const card = await newApproval(slack, cards);

    const second = await say(bob, '/deploy', 'web production');
    expect(second).toContain(
      `The same request is already waiting for approval in <#C0OPS>: request ${id}, asked by <@U0ALICE>`,
    );
    expect(second).toContain('Nothing new was filed');
    expect(approvalMessages(slack)).toHaveLength(cards + 1);
    // The outcome is audited just after the answer is sent.
    const entry = await waitFor('the audited outcome', async () => {
      const [last] = await world.bot.audit.list({ user: bob, limit: 1 });
      return last?.result === 'started' ? undefined : last;
    });
    expect(entry).toMatchObject({ result: 'refused', detail: `identical request ${id} is pending` });

    await click(driver, alice, card, 'Cancel');
    await waitFor('cancelled', () => card.text.startsWith('Approval cancelled'));
    const third = await say(bob, '/deploy', 'web production');
    expect(third).toMatch(/^Asked for approval/);
    const fresh = await newApproval(slack, cards + 1);
    await click(driver, bob, fresh, 'Cancel');
  });

  it('files one request when identical ones reach the approval service at the same moment', async () => {
    const cards = approvalMessages(slack).length;
    const input = {
      kind: 'deploy' as const,
      requester: alice,
      channel: dev,
      command: '/deploy web production',
      app: 'web',
      env: 'production',
      summary: 'deploy web production',
      binding: { app_id: 'race' },
      params: {},
    };
    const filed = await Promise.all([1, 2, 3, 4].map(() => world.bot.approvals.request(input)));
    expect(new Set(filed.map((r) => r.id)).size).toBe(1);
    expect(filed.filter((r) => r.duplicate)).toHaveLength(3);
    const card = await newApproval(slack, cards);
    await click(driver, alice, card, 'Cancel');
    await waitFor('cancelled', () => card.text.startsWith('Approval cancelled'));
    expect(approvalMessages(slack)).toHaveLength(cards + 1);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'answers `%s`, which every JavaScript object has, by naming the apps and databases',
    async (word) => {
      expect(await say(alice, '/deploy', `${word} staging`)).toBe(
        `There is no app \`${word}\` in dockside.yml. Apps: \`web\`, \`erp\`.`,
      );
      expect(await say(alice, '/deploy', `web ${word}`)).toBe(
        `App \`web\` has no environment \`${word}\`. Environments: \`staging\`, \`production\`.`,
      );
      expect(await say(alice, '/health', word)).toContain(`There is no app \`${word}\``);
      expect(await say(alice, '/backup', `${word} list`)).toContain(`There is no database \`${word}\``);
      expect(await say(alice, '/query', `${word} tables`)).toContain(`There is no database \`${word}\``);
    },
  );

  it('lets anyone with a role read the audit log, and refuses people without one', async () => {
    expect(await say(carol, '/audit', '--limit 5')).toMatch(/^\*Last 5 audit entries\*/);
    const refused = await say(dave, '/audit', '');
    expect(refused).toMatch(/^You may not read the audit log: it needs a role in dockside\./);
    expect(await say(dave, '/audit', 'verify')).toMatch(/^You may not read the audit log/);
    const [entry] = await world.bot.audit.list({ user: dave, limit: 1 });
    expect(entry).toMatchObject({ action: 'audit', result: 'refused' });
    // /ops help shows it to those who may run it, and counts it among what others may not.
    expect(await say(carol, '/ops', 'help')).toContain('/audit [app] [@user] [--limit N]');
    const daveHelp = await say(dave, '/ops', 'help');
    expect(daveHelp).not.toContain('/audit');
    expect(daveHelp).toMatch(
      /_\d+ more commands need a role you do not hold; ask a dockside admin if you need them\._/,
    );
  });

  it('shows usage placeholders that Slack would otherwise swallow as links', async () => {
    const answer = await say(alice, '/deploy', 'web');
    expect(answer).toContain('Usage: `/deploy &lt;app&gt; &lt;env&gt; [--force-build]`');
  });

  it('answers an approver who clicks Reject on their own request without inventing a role name', async () => {
    const cards = approvalMessages(slack).length;
    await say(alice, '/promote', 'web');
    const card = await newApproval(slack, cards);
    const from = slack.ephemerals.length;
    await click(driver, carol, card, 'Reject');
    const answer = await waitFor('an answer', () => slack.ephemerals.slice(from)[0]);
    expect(answer.text).toBe(
      'Only members of the "approver" role can reject a promotion; ask one of them to review it.',
    );
    await click(driver, alice, card, 'Cancel');
  });
});
