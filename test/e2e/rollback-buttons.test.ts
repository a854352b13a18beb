import { describe, expect, it } from 'vitest';
import { SAME_COMMIT_NOTE } from '../../handlers/rollback/describe.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import type { FakeEphemeral, FakeMessage } from '../../src/sandbox/fake-slack.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

type Accessory = {
  type?: string;
  value?: string;
  text?: { text?: string };
  confirm?: { text?: { text?: string } };
};

/** Rollback lists whose buttons say what they pick, and stop acting once the list is old. */
describe('rollback buttons and reverts', async () => {
  const world = await testWorld();
  const { driver, slack, sim, bot } = world;
  const rollbacks = () => sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback' });
  const asMessage = (e: FakeEphemeral): FakeMessage => ({
    channel: dev,
    ts: '0',
    text: e.text,
    blocks: e.blocks,
    updates: 0,
  });
  const list = async (env: string) =>
    answerTo(world, await driver.command(alice, dev, '/rollback', `web ${env}`));
  const accessories = (e: FakeEphemeral) =>
    (e.blocks as Array<{ accessory?: Accessory; text?: { text?: string } }>).filter(
      (b) => b.accessory?.type === 'button',
    );
  const ephemeralAfter = (from: number, match: (t: string) => boolean) =>
    waitFor('an answer', () => slack.ephemerals.slice(from).find((e) => match(e.text)));

  it('labels each staging pick with short id, commit and age, asks to confirm, and flags the same commit', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    await waitFor(
      'staging deployed',
      () => slack.messages.slice(from).find((m) => m.text === 'Deploying web staging: done'),
      8000,
    );
    const answer = await list('staging');
    const picks = accessories(answer);
    expect(picks.length).toBeGreaterThanOrEqual(2);
    const labels = picks.map((b) => b.accessory?.text?.text ?? '');
    for (const label of labels)
      expect(label).toMatch(/^Roll back to [0-9a-f]{8} \(commit [0-9a-f]{7}, .+ ago\)$/);
    expect(new Set(labels).size).toBe(labels.length);
    for (const b of picks)
      expect(b.accessory?.confirm?.text?.text).toMatch(/^Roll web staging back to `[0-9a-f]{8}`/);
    // The deployment the new one replaced built the same commit: picking it changes no code.
    const same = picks.find((b) => b.text?.text?.includes(SAME_COMMIT_NOTE));
    expect(same?.accessory?.confirm?.text?.text).toContain('this changes no code');
    expect(picks.filter((b) => b.text?.text?.includes(SAME_COMMIT_NOTE))).toHaveLength(1);
  });

  it('refuses a click on a list older than its TTL, and on a list the env has moved past', async () => {
    const answer = await list('staging');
    const [first, second] = buttonsOf(answer);
    if (!first || !second) throw new Error('expected two picks');

    let from = slack.ephemerals.length;
    const old = { ...first, value: first.value.replace(/@\d+$/, `@${Date.now() - 20 * 60_000}`) };
    await driver.click(alice, asMessage(answer), old);
    const expired = await ephemeralAfter(from, (t) => t.includes('old, so its buttons no longer act'));
    expect(expired.text).toContain('That list of web staging is 20 min');
    expect(expired.text).toContain('`/rollback web staging` for a current list');
    expect(rollbacks()).toHaveLength(0);

    const fromMsg = slack.messages.length;
    await driver.click(alice, asMessage(answer), first);
    await waitFor(
      'rolled back',
      () => slack.messages.slice(fromMsg).find((m) => m.text === 'Rolling back web staging: done'),
      8000,
    );
    expect(rollbacks()).toHaveLength(1);

    from = slack.ephemerals.length;
    await driver.click(alice, asMessage(answer), second);
    const stale = await ephemeralAfter(from, (t) => t.includes('is out of date'));
    expect(stale.text).toMatch(
      /^That list of web staging is out of date: web staging now runs `[0-9a-f]{8}`/,
    );
    expect(rollbacks()).toHaveLength(1);
  });

  it('production picks carry no confirm dialog: the approval is the confirmation', async () => {
    const answer = await list('production');
    const picks = accessories(answer);
    expect(picks.length).toBeGreaterThan(0);
    for (const b of picks) expect(b.accessory?.confirm).toBeUndefined();
  });

  it('asks for approval before reverting a production rollback, and a person’s lock stops the revert', async () => {
    const answer = await list('production');
    const pick = buttonsOf(answer)[0];
    if (!pick) throw new Error('no pick');
    let cards = approvalMessages(slack).length;
    await driver.click(alice, asMessage(answer), pick);
    const rollback = await newApproval(slack, cards);
    expect(JSON.stringify(rollback.blocks)).toMatch(/with `\/rollback web production [0-9a-f-]{36}`/);
    await click(driver, bob, rollback, 'Approve');
    await waitFor(
      'rollback done',
      () => rollback.text === 'Approval succeeded: Roll back web production',
      8000,
    );
    const reverts = () => sim.requests({ method: 'POST', route: '/v2/apps/:id/rollback/revert' });

    // Someone locks production for an incident, over dockside's own rollback lock.
    let from = slack.messages.length;
    await driver.command(bob, dev, '/lock', 'web production --force incident 7: keep it as it is');
    await waitFor('locked', () =>
      slack.messages.slice(from).find((m) => m.text.includes('locked web production')),
    );
    cards = approvalMessages(slack).length;
    const refused = await answerTo(
      world,
      await driver.command(alice, dev, '/rollback', 'web production revert'),
    );
    expect(refused.text).toMatch(
      /^web production is locked by <@U0BOB> .*incident 7: keep it as it is\. Nothing was reverted\./,
    );
    expect(approvalMessages(slack)).toHaveLength(cards);

    from = slack.messages.length;
    await driver.command(bob, dev, '/unlock', 'web production');
    await waitFor('unlocked', () =>
      slack.messages.slice(from).find((m) => m.text.includes('unlocked web production')),
    );
    const asked = await answerTo(
      world,
      await driver.command(alice, dev, '/rollback', 'web production revert'),
    );
    expect(asked.text).toMatch(/^Asked for approval in <#C0OPS> \(request \S+, needs 1 approver,/);
    const card = await newApproval(slack, cards);
    expect(card.text).toBe('Approval needed: Revert the rollback of web production');
    expect(reverts()).toHaveLength(0);
    await click(driver, bob, card, 'Approve');
    await waitFor(
      'revert done',
      () => card.text === 'Approval succeeded: Revert the rollback of web production',
      8000,
    );
    expect(reverts()).toHaveLength(1);
    const appId = bot.config.apps.web?.environments.production?.app_id ?? '';
    expect((await bot.do.getApp(appId)).pinnedDeployment).toBeUndefined();
  });
});
