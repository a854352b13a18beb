import { describe, expect, it } from 'vitest';
import type { ReleaseRecord } from '../../handlers/deploy/target.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import type { FakeEphemeral, FakeMessage } from '../../src/sandbox/fake-slack.js';
import { type ButtonRef, buttonsOf } from '../../src/sandbox/slack-driver.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { digestsIn } from '../helpers/digests.js';
import { dropletE2eWorld } from '../helpers/droplet-world.js';
import { answerTo, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

const blocks = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
const short = (digest: string) => digest.slice(7, 19);

/** `/rollback` on a Droplet env, through signed requests, real SSH hosts and the release log in Redis. */
describe('/rollback on a Droplet env', async () => {
  const e2e = await dropletE2eWorld();
  const { world, droplets } = e2e;
  const { driver, slack } = world;
  const production = e2e.hostsOf('production');
  const staging = e2e.hostsOf('staging');
  const releases = world.bot.targets.releases;
  const hour = 3600_000;
  const now = Date.now();

  // Production's history: v1 went out, then v2 (running now), then v3 failed and was put back.
  const v1 = e2e.seed('production', 'v1');
  const v2 = droplets.push('v2');
  const v3 = droplets.push('v3');
  const services = (d: { backend: string; frontend: string }, tag: string) => [
    { service: 'backend', image: droplets.image('backend'), digest: d.backend, tag },
    { service: 'frontend', image: droplets.image('frontend'), digest: d.frontend, tag },
  ];
  const record = (id: string, at: number, d: { backend: string; frontend: string }, tag: string) =>
    ({
      id,
      kind: 'deploy',
      services: services(d, tag),
      by: alice,
      at: new Date(at).toISOString(),
      outcome: 'started',
    }) satisfies ReleaseRecord;
  const A = 'r20261130T090000-aaaa';
  const B = 'r20261130T100000-bbbb';
  const C = 'r20261130T110000-cccc';
  await releases.start('api', 'production', record(A, now - 3 * hour, v1, 'v1'));
  await releases.finish('api', 'production', A, 'succeeded');
  await releases.start('api', 'production', record(B, now - 2 * hour, v2, 'v2'));
  await releases.finish('api', 'production', B, 'succeeded');
  // What a host or a person wrote into the log is hostile when shown.
  await releases.start('api', 'production', { ...record(C, now - hour, v3, 'v3'), by: '<!channel>' });
  await releases.finish('api', 'production', C, 'rolled_back', {
    host: production[1]?.address ?? '?',
    reason: '<!here> *health* check failed',
  });
  // The hosts run B: v1's images are still on them from before.
  for (const host of production) host.seed(droplets.releaseFile(v2, B));

  let firstList: FakeEphemeral;
  let firstPick: ButtonRef;
  const asMessage = (e: FakeEphemeral): FakeMessage => ({
    channel: dev,
    ts: '0',
    text: e.text,
    blocks: e.blocks,
    updates: 0,
  });
  const list = async () => answerTo(world, await driver.command(alice, dev, '/rollback', 'api production'));
  const ephemeralAfter = (from: number, match: (t: string) => boolean) =>
    waitFor('an answer', () => slack.ephemerals.slice(from).find((e) => match(e.text)), 20_000);

  it('lists releases newest first with digests, tags, who and outcome, the running one marked, picks only where it makes sense', async () => {
    const answer = await list();
    const text = blocks(answer);
    expect(text.indexOf(C)).toBeLessThan(text.indexOf(B));
    expect(text.indexOf(B)).toBeLessThan(text.indexOf(A));
    expect(text).toContain(`backend \`${short(v1.backend)}\` (v1)`);
    expect(text).toMatch(new RegExp(`${B}\\*[^"]*running now`));
    expect(text).toContain('failed, hosts put back');
    // Hostile words from the log: no ping, no bold.
    expect(text).not.toContain('<!here>');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!here&gt;');
    expect(text).not.toContain('*health*');
    // Only A can be picked: B runs now, C failed.
    const picks = buttonsOf(answer);
    expect(picks).toHaveLength(1);
    expect(picks[0]?.text).toMatch(new RegExp(`^Roll back to ${A} \\(v1, 3 h( \\d+ min)? ago\\)$`));
    firstList = answer;
    firstPick = picks[0] as ButtonRef;
    expect(picks[0]?.value).toMatch(new RegExp(`^api production ${A} --list ${B}@\\d+$`));
  });

  it('refuses an unknown id, a failed release and the running one, by name, before any host changes', async () => {
    const ask = async (text: string) =>
      (await answerTo(world, await driver.command(alice, dev, '/rollback', text))).text;
    const cards = approvalMessages(slack).length;
    expect(await ask('api production r20261130T080000-dddd')).toContain(
      'There is no release `r20261130T080000-dddd` in the release log of api production.',
    );
    expect(await ask(`api production ${C}`)).toContain(
      `Cannot roll api production back to ${C}: it failed and was rolled back on`,
    );
    expect(await ask(`api production ${B}`)).toContain('is what the hosts run now');
    expect(await ask('api production <!channel>')).toContain('is not a release id');
    expect(await ask('api production commit')).toContain('there is no pin to commit');
    expect(approvalMessages(slack)).toHaveLength(cards);
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
  });

  it('pick -> approval card (from -> to, which release) -> both hosts on the older digests, without a pull', async () => {
    const answer = await list();
    const [pick] = buttonsOf(answer);
    if (!pick) throw new Error('no pick');
    const cards = approvalMessages(slack).length;
    const commandsBefore = production.map((h) => h.commands().length);
    await driver.click(alice, asMessage(answer), pick);
    const card = await newApproval(slack, cards);
    const summary = blocks(card);
    expect(summary).toContain(`to release ${A}`);
    expect(summary).toContain(`backend: ${short(v2.backend)} (v2) -&gt; ${short(v1.backend)} (v1)`);
    expect(summary).toContain(`frontend: ${short(v2.frontend)} (v2) -&gt; ${short(v1.frontend)} (v1)`);
    // The approver reads the command without the list's bookkeeping.
    expect(summary).toContain(`/rollback api production ${A}`);
    expect(summary).not.toContain('--list');
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);

    const from = slack.messages.length;
    await click(driver, bob, card, 'Approve');
    await waitFor('the approval to succeed', () => card.text.startsWith('Approval succeeded'), 30_000);
    const progress = await e2e.finished('Rolling back api production', from);
    expect(progress.text).toBe('Rolling back api production: done');
    expect(JSON.stringify(progress.blocks[0])).toContain(
      ':white_check_mark: *Rolled back api production* (Droplets)',
    );
    expect(blocks(progress)).toContain('Approved by <@U0BOB>');
    for (const host of production) {
      expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
      expect(host.running()).toBe(host.releaseFile());
    }
    production.forEach((host, i) => {
      const calls = host.commands().slice(commandsBefore[i]);
      expect(calls.some((c) => c.includes('pull'))).toBe(false);
      expect(calls.some((c) => c.includes('up'))).toBe(true);
    });
    expect(production.flatMap((h) => h.migrations())).toEqual([]);
    // Staging is another env: untouched.
    for (const host of staging) expect(host.commands().some((c) => c.includes('up'))).toBe(false);

    const [latest] = await releases.list('api', 'production', 1);
    expect(latest).toMatchObject({ kind: 'rollback', outcome: 'succeeded', by: alice });
    expect(latest?.services.map((s) => [s.digest, s.tag])).toEqual([
      [v1.backend, 'v1'],
      [v1.frontend, 'v1'],
    ]);
    // The list now says what the rollback went back to, and marks it as running.
    const after = blocks(await list());
    expect(after).toContain(`rollback to ${A}`);
    expect(after).toMatch(new RegExp(`${latest?.id}\\*[^"]*running now`));
  });

  it('a button from a list the env has moved past is refused; nothing is asked or run', async () => {
    // The list of the first test: shown while the hosts ran B, before the rollback above.
    const cards = approvalMessages(slack).length;
    const from = slack.ephemerals.length;
    await driver.click(alice, asMessage(firstList), firstPick);
    const refused = await ephemeralAfter(from, (t) => t.includes('out of date'));
    expect(refused.text).toBe(
      'That list of api production is out of date: api production has had another release since it was shown. ' +
        'Run `/rollback api production` for a current list.',
    );
    expect(approvalMessages(slack)).toHaveLength(cards);
  });

  it('voids an approved rollback when production moved after it was asked', async () => {
    const cards = approvalMessages(slack).length;
    await driver.command(alice, dev, '/rollback', `api production ${B}`);
    const card = await newApproval(slack, cards);
    expect(blocks(card)).toContain(`to release ${B}`);
    // Asking again files nothing new: the same plan is already waiting.
    const again = await answerTo(world, await driver.command(alice, dev, '/rollback', `api production ${B}`));
    expect(again.text).toMatch(/^The same request is already waiting for approval/);
    expect(approvalMessages(slack)).toHaveLength(cards + 1);
    // Someone changes production by hand before the approver looks.
    for (const host of production) host.seed(droplets.releaseFile(v3, 'by-hand'));
    await click(driver, bob, card, 'Approve');
    await waitFor('the approval to fail', () => card.text.startsWith('Approval failed'), 30_000);
    expect(blocks(card)).toContain(
      `What api production runs changed since this was requested (was backend ${short(v1.backend)}, frontend ${short(v1.frontend)}, ` +
        `now backend ${short(v3.backend)}, frontend ${short(v3.frontend)}), so this approval is void and nothing was done.`,
    );
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v3.backend, v3.frontend]);
  });

  it('in staging a pick asks to confirm, then rolls back at once under an audit entry written first', async () => {
    const S1 = 'r20261130T090000-5001';
    const S2 = 'r20261130T100000-5002';
    await releases.start('api', 'staging', record(S1, now - 2 * hour, v1, 'v1'));
    await releases.finish('api', 'staging', S1, 'succeeded');
    await releases.start('api', 'staging', record(S2, now - hour, v2, 'v2'));
    await releases.finish('api', 'staging', S2, 'succeeded');
    for (const host of staging) host.seed(droplets.releaseFile(v1, S1));
    for (const host of staging) host.seed(droplets.releaseFile(v2, S2));

    const answer = await answerTo(world, await driver.command(alice, dev, '/rollback', 'api staging'));
    const pick = (
      answer.blocks as Array<{ accessory?: { value?: string; confirm?: { text?: { text?: string } } } }>
    )
      .map((b) => b.accessory)
      .find((a) => a?.value?.startsWith(`api staging ${S1} `));
    expect(pick?.confirm?.text?.text).toContain(`Roll api staging back to ${S1}`);
    const [button] = buttonsOf(answer);
    if (!button) throw new Error('no pick');
    const cards = approvalMessages(slack).length;
    const from = slack.messages.length;
    await driver.click(alice, asMessage(answer), button);
    const progress = await e2e.finished('Rolling back api staging', from);
    expect(progress.text).toBe('Rolling back api staging: done');
    expect(approvalMessages(slack)).toHaveLength(cards);
    for (const host of staging) expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);

    const entries = await world.bot.audit.list({ app: 'api', limit: 100 });
    const command = entries.find(
      (e) => e.action === 'rollback' && e.env === 'staging' && e.result === 'started',
    );
    const rollout = entries.find((e) => e.action === 'rollback.rollout' && e.env === 'staging');
    expect(rollout).toMatchObject({ result: 'started', ref: command?.id });
    const outcome = await waitFor('the audited outcome', async () =>
      (await world.bot.audit.list({ app: 'api', limit: 100 })).find(
        (e) => e.action === 'rollback' && e.env === 'staging' && e.result === 'succeeded',
      ),
    );
    expect(outcome.detail).toContain('every host');
  });

  it('hosts that disagree: the list has no buttons and says why; a typed id brings every host onto that release', async () => {
    const [a, b] = staging;
    if (!a || !b) throw new Error('two staging hosts expected');
    // One host was changed by hand after the rollback above.
    b.seed(droplets.releaseFile(v3, 'by-hand'));
    const answer = await answerTo(
      world,
      await driver.command(alice, dev, '/rollback', 'api staging'),
      15_000,
    );
    expect(buttonsOf(answer)).toEqual([]);
    const text = blocks(answer);
    expect(text).toContain('could not be told (The hosts of api staging do not run the same release');
    expect(text).toContain('/rollback api staging &lt;release-id&gt;');

    const from = slack.messages.length;
    await driver.command(alice, dev, '/rollback', 'api staging r20261130T100000-5002');
    const progress = await e2e.finished('Rolling back api staging', from);
    expect(progress.text).toBe('Rolling back api staging: done');
    for (const host of [a, b]) expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
  });

  it('/ops help shows the Droplet form of /rollback', async () => {
    const answer = await answerTo(world, await driver.command(alice, dev, '/ops', 'help'));
    expect(answer.text).toContain(
      '/rollback &lt;app&gt; &lt;env&gt; [release-id]   (Droplet envs: a release of the release log)',
    );
  });

  it('a locked env: the list says so, and a rollback is refused before any host changes', async () => {
    await driver.command(bob, dev, '/lock', 'api staging incident 9');
    await waitFor('locked', () => slack.messages.some((m) => m.text.includes('locked api staging')));
    const listed = blocks(
      await answerTo(world, await driver.command(alice, dev, '/rollback', 'api staging'), 15_000),
    );
    expect(listed).toContain('api staging is locked by <@U0BOB>');
    const before = staging.map((h) => h.commands().length);
    const refused = await answerTo(
      world,
      await driver.command(alice, dev, '/rollback', 'api staging r20261130T090000-5001'),
    );
    expect(refused.text).toMatch(/^api staging is locked by <@U0BOB> .*incident 9/);
    expect(staging.map((h) => h.commands().length)).toEqual(before);
    await driver.command(bob, dev, '/unlock', 'api staging');
    await waitFor('unlocked', () => slack.messages.some((m) => m.text.includes('unlocked api staging')));
  });
});
