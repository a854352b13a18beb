import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages } from '../helpers/approvals.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, bob, dave } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

/** Locks as people use them, through signed Slack requests. */
describe('locks', async () => {
  const world = await testWorld();
  const { driver, slack, sim, bot } = world;
  const say = async (user: string, command: string, text: string) =>
    (await answerTo(world, await driver.command(user, dev, command, text))).text;
  const posted = (from: number, match: (t: string) => boolean) =>
    waitFor('a channel message', () => slack.messages.slice(from).find((m) => match(m.text)));

  it('refuses a locked production deploy, promotion or rollback before any approval is asked for', async () => {
    let from = slack.messages.length;
    await driver.command(bob, dev, '/lock', 'web production incident 42');
    await posted(from, (t) => t.includes('locked web production'));
    const cards = approvalMessages(slack).length;
    const deploysBefore = sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' }).length;

    expect(await say(alice, '/deploy', 'web production')).toMatch(
      /^web production is locked by <@U0BOB> since <!date\^\d+\^.*>: incident 42\. Nothing was deployed\./,
    );
    expect(await say(alice, '/promote', 'web')).toMatch(/^web production is locked by <@U0BOB>/);
    expect(await say(alice, '/rollback', 'web production 0123456789abcdef')).toMatch(
      /^web production is locked by <@U0BOB>/,
    );
    const list = await answerTo(world, await driver.command(alice, dev, '/rollback', 'web production'));
    expect(JSON.stringify(list.blocks)).toContain(':lock: web production is locked by <@U0BOB>');
    expect(approvalMessages(slack)).toHaveLength(cards);
    expect(sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' })).toHaveLength(deploysBefore);
    const refused = await bot.audit.list({ app: 'web', limit: 10 });
    expect(refused.filter((e) => e.result === 'refused' && e.detail?.startsWith('env_locked'))).toHaveLength(
      3,
    );

    from = slack.messages.length;
    await driver.command(bob, dev, '/unlock', 'web production');
    await posted(from, (t) => t.includes('unlocked web production'));
  });

  it("refuses to replace someone else's lock unless --force, which the audit log records", async () => {
    let from = slack.messages.length;
    await driver.command(bob, dev, '/lock', 'web staging --for 1h database migration');
    await posted(from, (t) => t.includes('locked web staging for 1 h'));

    const refusal = await say(alice, '/lock', 'web staging 10m quick test');
    expect(refusal).toContain('web staging is already locked by <@U0BOB>');
    expect(refusal).toContain('database migration');
    expect(refusal).toContain('--force');
    const kept = await bot.locks.get('web', 'staging');
    expect(kept).toMatchObject({ by: bob, reason: 'database migration' });

    from = slack.messages.length;
    await driver.command(alice, dev, '/lock', 'web staging --force 10m hotfix window');
    const forced = await posted(from, (t) => t.includes('locked web staging'));
    expect(forced.text).toContain('for 10 min: hotfix window');
    expect(forced.text).toContain('It replaces the lock <@U0BOB> set: database migration.');
    expect(await bot.locks.get('web', 'staging')).toMatchObject({ by: alice, reason: 'hotfix window' });
    // The outcome is audited just after the message is posted.
    const entry = await waitFor('the audited outcome', async () => {
      const [last] = await bot.audit.list({ app: 'web', user: alice, limit: 1 });
      return last?.result === 'started' ? undefined : last;
    });
    expect(entry).toMatchObject({ result: 'succeeded', data: { forced: true, replacedLockBy: bob } });
    expect(entry?.command).toContain('--force');

    from = slack.messages.length;
    await driver.command(alice, dev, '/unlock', 'web staging');
    await posted(from, (t) => t.includes('unlocked web staging'));
  });

  it('takes a bare duration as the first word of the reason: `/lock web staging 2h` locks for 2 h', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/lock', 'web staging 2h release freeze');
    const message = await posted(from, (t) => t.includes('locked web staging'));
    expect(message.text).toContain('locked web staging for 2 h: release freeze.');
    const lock = await bot.locks.get('web', 'staging');
    expect(lock?.reason).toBe('release freeze');
    expect(Date.parse(lock?.expiresAt ?? '') - Date.parse(lock?.since ?? '')).toBe(2 * 3_600_000);
    expect(await say(alice, '/lock', 'web staging 40d')).toContain('`40d` is too long for a lock');
    await driver.command(alice, dev, '/unlock', 'web staging');
    await waitFor('unlocked', async () => (await bot.locks.get('web', 'staging')) === null);
  });

  it('shows a lock reason as typed, without pinging the channel or linking (`/ops` escapes mentions)', async () => {
    const from = slack.messages.length;
    await driver.command(
      alice,
      dev,
      '/ops',
      'lock erp staging <!channel> <https://evil.example|SSO expired> *now*',
      { asDelivered: true },
    );
    const message = await posted(from, (t) => t.includes('locked erp staging'));
    expect(message.text).toContain('&lt;!channel&gt; &lt;https://evil.example|SSO expired&gt; ∗now∗');
    expect(message.text).not.toMatch(/<!channel>|<https:\/\/evil/);
    const refused = await say(alice, '/deploy', 'erp staging');
    expect(refused).toContain('&lt;!channel&gt;');
    expect(refused).not.toContain('<!channel>');
    await driver.command(alice, dev, '/unlock', 'erp staging');
    await waitFor('unlocked', async () => (await bot.locks.get('erp', 'staging')) === null);
  });

  it('says "unlock", not "lock", when someone without the grant tries to unlock', async () => {
    expect(await say(dave, '/unlock', 'web staging')).toMatch(/^You may not unlock web staging\./);
  });
});
