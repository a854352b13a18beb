import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { digestsIn } from '../helpers/digests.js';
import { dropletE2eWorld } from '../helpers/droplet-world.js';
import { answerTo, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

const blocks = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
const short = (digest: string) => digest.slice(7, 19);

/** `/promote` between Droplet envs, through signed requests and real SSH hosts. */
describe('/promote on a Droplet app', async () => {
  const e2e = await dropletE2eWorld();
  const { world, droplets } = e2e;
  const { driver, slack } = world;
  const staging = e2e.hostsOf('staging');
  const production = e2e.hostsOf('production');
  const releases = world.bot.targets.releases;
  type Digests = { backend: string; frontend: string };

  /** Puts a release on an env's hosts and in its log (with its tag), as if deployed earlier. */
  async function deployed(env: 'staging' | 'production', id: string, digests: Digests, tag: string) {
    for (const host of e2e.hostsOf(env)) host.seed(droplets.releaseFile(digests, id));
    await releases.start('api', env, {
      id,
      kind: 'deploy',
      services: [
        { service: 'backend', image: droplets.image('backend'), digest: digests.backend, tag },
        { service: 'frontend', image: droplets.image('frontend'), digest: digests.frontend, tag },
      ],
      by: alice,
      at: new Date().toISOString(),
      outcome: 'started',
    });
    await releases.finish('api', env, id, 'succeeded');
  }
  const v1 = droplets.push('v1');
  const v2 = droplets.push('v2');
  await deployed('production', 'r20261130T090000-0001', v1, 'v1');
  await deployed('staging', 'r20261130T100000-0002', v2, 'v2');

  const promote = async () => {
    const cards = approvalMessages(slack).length;
    const res = await driver.command(alice, dev, '/promote', 'api');
    return { cards, res };
  };

  it("asks with from -> to digests and tags; after approval production runs staging's digests", async () => {
    const { cards } = await promote();
    const card = await newApproval(slack, cards);
    expect(card.text).toBe('Approval needed: Promote api production');
    const summary = blocks(card);
    expect(summary).toContain(
      'production is to run exactly the digests staging runs now (release r20261130T100000-0002)',
    );
    expect(summary).toContain(`backend: ${short(v1.backend)} (v1) -&gt; ${short(v2.backend)} (v2)`);
    expect(summary).toContain(`frontend: ${short(v1.frontend)} (v1) -&gt; ${short(v2.frontend)} (v2)`);
    // Asking changed nothing on a host.
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);

    const from = slack.messages.length;
    await click(driver, bob, card, 'Approve');
    await waitFor('the approval to succeed', () => card.text.startsWith('Approval succeeded'), 30_000);
    const progress = await e2e.finished('Promoting to api production', from);
    expect(progress.text).toBe('Promoting to api production: done');
    // The line says it was done; its thread who approved and what moved.
    expect(JSON.stringify(progress.blocks[0])).toContain(
      ':white_check_mark: *Promoted to api production* (Droplets)',
    );
    expect(blocks(progress)).toContain('Approved by <@U0BOB>');
    expect(blocks(progress)).toContain(
      `backend: \`${short(v1.backend)}\` (v1) → \`${short(v2.backend)}\` (v2)`,
    );
    for (const host of production) {
      expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
      expect(host.running()).toBe(host.releaseFile());
    }
    expect(production.flatMap((h) => h.migrations())).toHaveLength(1);
    for (const host of staging) expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
    const [latest] = await releases.list('api', 'production', 1);
    expect(latest).toMatchObject({ kind: 'promote', outcome: 'succeeded', by: alice });
    expect(latest?.services.map((s) => s.tag)).toEqual(['v2', 'v2']);
  });

  it('says "nothing to promote" when production already runs staging\'s digests, and asks nobody', async () => {
    const { cards, res } = await promote();
    const answer = await answerTo(world, res);
    expect(answer.text).toBe(
      'api production already runs exactly the digests staging runs; nothing to promote.',
    );
    expect(approvalMessages(slack)).toHaveLength(cards);
  });

  it('voids an approval when staging moved after it was asked, and when production did', async () => {
    const v3 = droplets.push('v3');
    const v4 = droplets.push('v4');
    await deployed('staging', 'r20261130T110000-0003', v3, 'v3');
    const first = await promote();
    const card = await newApproval(slack, first.cards);
    expect(blocks(card)).toContain(`backend: ${short(v2.backend)} (v2) -&gt; ${short(v3.backend)} (v3)`);
    // Someone deploys staging again before the approver looks.
    await deployed('staging', 'r20261130T120000-0004', v4, 'v4');
    await click(driver, bob, card, 'Approve');
    await waitFor('the approval to fail', () => card.text.startsWith('Approval failed'), 30_000);
    expect(blocks(card)).toContain(
      `What api staging runs changed since this was requested (was backend ${short(v3.backend)}, frontend ${short(v3.frontend)}, ` +
        `now backend ${short(v4.backend)}, frontend ${short(v4.frontend)}), so this approval is void and nothing was done.`,
    );
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);

    const second = await promote();
    const card2 = await newApproval(slack, second.cards);
    // Production is changed under it (a rollback, a deploy by hand).
    await deployed('production', 'r20261130T130000-0005', v1, 'v1');
    await click(driver, bob, card2, 'Approve');
    await waitFor('the approval to fail', () => card2.text.startsWith('Approval failed'), 30_000);
    expect(blocks(card2)).toContain('What api production runs changed since this was requested');
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
    expect(e2e.lines('Promoting to api production', 0)).toHaveLength(1);
  });

  it('refuses when staging hosts disagree, saying what each runs', async () => {
    const [a, b] = staging;
    if (!a || !b) throw new Error('two staging hosts expected');
    const v5 = droplets.push('v5');
    b.seed(droplets.releaseFile(v5, 'r20261130T140000-0006'));
    const { cards, res } = await promote();
    const answer = await answerTo(world, res, 15_000);
    expect(answer.text).toContain('Cannot promote api: The hosts of api staging do not run the same release');
    expect(answer.text).toContain(
      `[${a.ip}]:${a.port}: backend ${short(digestsIn(a.releaseFile())[0] ?? '')}`,
    );
    expect(answer.text).toContain(`[${b.ip}]:${b.port}: backend ${short(v5.backend)}`);
    expect(answer.text).toContain('Deploy api staging again so its hosts agree');
    expect(approvalMessages(slack)).toHaveLength(cards);
  });
});
