import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { digestsIn } from '../helpers/digests.js';
import { dropletE2eWorld } from '../helpers/droplet-world.js';
import type { SimHost } from '../helpers/sshd.js';
import { answerTo, waitFor } from '../helpers/world.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

const touched = (hosts: SimHost[]) => hosts.reduce((n, h) => n + h.commands().length, 0);
const blocks = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
/** The channel line's own text (the first block; the rest of a finished message is its thread). */
const lineOf = (m: { blocks: unknown[] }) => (m.blocks[0] as { text: { text: string } }).text.text;

describe('/deploy on a Droplet env, through signed requests', async () => {
  const e2e = await dropletE2eWorld();
  const { world, droplets } = e2e;
  const { driver, slack } = world;
  const staging = e2e.hostsOf('staging');
  const production = e2e.hostsOf('production');
  const v1 = e2e.seed('staging', 'v1');
  e2e.seed('production', 'v1');
  const audit = async () => world.bot.audit.list({ app: 'api', limit: 100 });

  it('lands the same digests on both staging hosts, with one migration run', async () => {
    const v2 = droplets.push('v2');
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'api staging v2');
    const message = await e2e.finished('Deploying api staging', from);
    expect(message.text).toBe('Deploying api staging: done');
    expect(message.channel).toBe(dev);
    // One line in the channel, ending ✅ with where the release runs and how long it took.
    expect(e2e.lines('Deploying api staging', from)).toHaveLength(1);
    expect(lineOf(message)).toMatch(
      /^:white_check_mark: \*Deployed api staging\* \(Droplets\): 2 hosts on `r\d{8}T\d{6}-[0-9a-f]{4}`, health_url ok, \d+(\.\d)? m?s$/,
    );
    for (const host of staging) {
      expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
      expect(host.running()).toBe(host.releaseFile());
    }
    expect(staging.flatMap((h) => h.migrations())).toEqual(['backend\tsh -c alembic upgrade head']);
    // Production hosts are another env: untouched.
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
    const text = blocks(message);
    for (const host of staging) expect(text).toContain(`[${host.ip}]:${host.port}`);
    expect(text).toContain(v2.backend.slice(7, 19));
    expect(text).toContain('health_url');

    // The outcome is audited right after the message's last update.
    const result = await waitFor('the audited outcome', async () =>
      (await audit()).find((e) => e.action === 'deploy.result'),
    );
    const rollout = (await audit()).find((e) => e.action === 'deploy.rollout' && e.result === 'started');
    expect(rollout?.detail).toContain(v2.backend);
    expect(result).toMatchObject({ result: 'succeeded', actor: 'dockside', ref: rollout?.id });
    // The audit entry came before the rollout's outcome, and the release log points at it.
    const [latest] = await world.bot.targets.releases.list('api', 'staging', 1);
    expect(latest).toMatchObject({ outcome: 'succeeded', auditId: rollout?.id, by: alice });
  });

  it('refuses a bad tag before the registry or a host is asked', async () => {
    const before = touched(staging);
    const res = await driver.command(alice, dev, '/deploy', 'api staging v2;rm');
    const answer = await answerTo(world, res);
    expect(answer.text).toContain('is not an image tag');
    expect(answer.text).toContain('/deploy &lt;app&gt; &lt;env&gt; [tag]');
    expect(touched(staging)).toBe(before);
  });

  it('lists the Droplet form of /deploy in /ops help', async () => {
    const res = await driver.command(alice, dev, '/ops', 'help');
    const answer = await answerTo(world, res);
    expect(answer.text).toContain(
      '/deploy &lt;app&gt; &lt;env&gt; [tag]  (Droplet envs: images by tag, default latest)',
    );
  });

  it('refuses a locked env, and nothing reaches a host', async () => {
    await driver.command(alice, dev, '/lock', 'api staging freeze for the demo');
    await waitFor('lock posted', () => slack.messages.some((m) => m.text.includes('locked api staging')));
    const before = touched(staging);
    const res = await driver.command(alice, dev, '/deploy', 'api staging v1');
    const answer = await answerTo(world, res);
    expect(answer.text).toMatch(/^api staging is locked by <@U0ALICE> .*Nothing was deployed\./s);
    expect(touched(staging)).toBe(before);
    await driver.command(alice, dev, '/unlock', 'api staging');
    await waitFor('unlocked', () => slack.messages.some((m) => m.text.includes('unlocked api staging')));
  });

  it('waits for approval in production (nothing touches a host before), then runs once', async () => {
    const v3 = droplets.push('v3');
    const before = approvalMessages(slack).length;
    const hostCalls = touched(production);
    await driver.command(alice, dev, '/deploy', 'api production v3');
    const approval = await newApproval(slack, before);
    expect(approval.text).toBe('Approval needed: Deploy api production');
    expect(blocks(approval)).toContain(
      `backend: ${v1.backend.slice(7, 19)} -&gt; ${v3.backend.slice(7, 19)} (v3)`,
    );
    // Planning read what the hosts run; it changed nothing there.
    for (const host of production) {
      expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
      expect(
        host
          .commands()
          .slice(hostCalls)
          .some((c) => c[0] === 'compose' && c.includes('up')),
      ).toBe(false);
    }
    const from = slack.messages.length;
    await click(driver, bob, approval, 'Approve');
    await click(driver, bob, approval, 'Approve'); // a second click changes nothing
    await waitFor('the approval to succeed', () => approval.text.startsWith('Approval succeeded'), 30_000);
    const progress = await e2e.finished('Deploying api production', from);
    expect(progress.text).toBe('Deploying api production: done');
    expect(blocks(progress)).toContain('Approved by <@U0BOB>');
    for (const host of production) expect(digestsIn(host.releaseFile())).toEqual([v3.backend, v3.frontend]);
    expect(production.flatMap((h) => h.migrations())).toHaveLength(1);
    expect(e2e.lines('Deploying api production', from)).toHaveLength(1);
    const actions = (await audit()).map((e) => `${e.action}:${e.result}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'approval.request.deploy:requested',
        'approval.run.deploy:started',
        'deploy.rollout:started',
        'deploy.result:succeeded',
        'approval.outcome.deploy:succeeded',
      ]),
    );
  });
});

describe('an approved Droplet deploy that went stale', async () => {
  const e2e = await dropletE2eWorld({
    hosts: 1,
    envs: (droplets, hosts) => ({
      production: { droplets: droplets.dropletsEnv(hosts), approval: true },
    }),
  });
  const { world, droplets } = e2e;
  const { driver, slack } = world;
  const [host] = droplets.ssh.hosts as [SimHost];
  const v1 = droplets.push('v1');
  host.seed(droplets.releaseFile(v1));

  it('is refused when the tag moved before approval, saying so, and no host is touched', async () => {
    droplets.push('v5');
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/deploy', 'api production v5');
    const approval = await newApproval(slack, before);
    const moved = droplets.push('v5'); // the tag now names other images
    host.clearCommands();
    await click(driver, bob, approval, 'Approve');
    await waitFor('the approval to fail', () => approval.text.startsWith('Approval failed'), 20_000);
    expect(blocks(approval)).toContain('The tag v5 names other images than when this deploy was approved');
    expect(host.commands().some((c) => c[0] === 'compose' && c.includes('up'))).toBe(false);
    expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
    expect(digestsIn(host.releaseFile())).not.toContain(moved.backend);
  });
});
