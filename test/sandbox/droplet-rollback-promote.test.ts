import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { sandboxConfigText } from '../../src/sandbox/config.js';
import { type SandboxDroplets, startSandboxDroplets } from '../../src/sandbox/droplet-env.js';
import type { FakeEphemeral } from '../../src/sandbox/fake-slack.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { digestsIn } from '../helpers/digests.js';
import { deleteKeys } from '../helpers/redis.js';
import { answerTo, waitFor } from '../helpers/world.js';

/** The sandbox's Droplet app through Slack: deploy staging, promote it, roll staging back to the seeded release. */
describe('/promote and /rollback in the sandbox Droplet app', () => {
  let droplets: SandboxDroplets;
  let world: World;

  beforeAll(async () => {
    droplets = await startSandboxDroplets();
    const configText = sandboxConfigText({
      extraApps: droplets.appYaml({ hostHealthMs: 1500 }),
      extraSections: droplets.registriesYaml(),
    });
    world = await startWorld({
      config: () => parseConfig(configText, { ...process.env, ...droplets.env }, 'sandbox dockside.yml'),
      bot: { dropletHealthPollMs: 50 },
    });
    await droplets.logSeededRelease(world.bot.redis);
  }, 30_000);
  afterAll(async () => {
    await world?.close();
    if (world) await deleteKeys(world.redisKeyPrefix);
    await droplets?.close();
  });

  const finished = (prefix: string, from: number) =>
    waitFor(
      `${prefix} to finish`,
      () =>
        world.slack.messages
          .slice(from)
          .find((m) => m.text.startsWith(prefix) && / (done|failed)$/.test(m.text)),
      30_000,
    );

  it('promotes what staging runs after a deploy, then rolls staging back to the seeded release by its button', async () => {
    const { driver, slack } = world;
    const seeded = [droplets.seeded.digests.backend, droplets.seeded.digests.frontend];
    let from = slack.messages.length;
    await driver.command('U0ALICE', 'C0DEV', '/deploy', 'api staging');
    expect((await finished('Deploying api staging', from)).text).toBe('Deploying api staging: done');
    const latest = digestsIn(droplets.staging[0]?.releaseFile());
    expect(latest).not.toEqual(seeded);

    const cards = approvalMessages(slack).length;
    await driver.command('U0ALICE', 'C0DEV', '/promote', 'api');
    const card = await newApproval(slack, cards);
    expect(JSON.stringify(card.blocks)).toContain('(v1) -&gt;');
    from = slack.messages.length;
    await click(driver, 'U0BOB', card, 'Approve');
    expect((await finished('Promoting to api production', from)).text).toBe(
      'Promoting to api production: done',
    );
    for (const host of droplets.production) expect(digestsIn(host.releaseFile())).toEqual(latest);

    const list: FakeEphemeral = await answerTo(
      world,
      await driver.command('U0ALICE', 'C0DEV', '/rollback', 'api staging'),
      15_000,
    );
    const [pick] = buttonsOf(list);
    expect(pick?.text).toMatch(/^Roll back to sandbox-v1 \(v1, /);
    from = slack.messages.length;
    await driver.click(
      'U0ALICE',
      { channel: 'C0DEV', ts: '0', text: list.text, blocks: list.blocks, updates: 0 },
      pick!,
    );
    expect((await finished('Rolling back api staging', from)).text).toBe('Rolling back api staging: done');
    for (const host of droplets.staging) expect(digestsIn(host.releaseFile())).toEqual(seeded);
    for (const host of droplets.production) expect(digestsIn(host.releaseFile())).toEqual(latest);
  }, 60_000);
});
