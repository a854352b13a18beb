import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { digestsIn } from '../helpers/digests.js';
import { dropletE2eWorld } from '../helpers/droplet-world.js';
import type { SimHost } from '../helpers/sshd.js';
import { waitFor } from '../helpers/world.js';
import { spawnBotProcess } from './helpers/spawn-bot.js';

const { alice, bob } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const nameOf = (h: SimHost) => `[${h.ip}]:${h.port}`;

describe('a replica killed in the middle of an approved Droplet rollout', async () => {
  const e2e = await dropletE2eWorld({
    hosts: 2,
    envs: (droplets, hosts) => ({
      production: { droplets: droplets.dropletsEnv(hosts), health_url: droplets.healthUrl, approval: true },
    }),
  });
  const { world, droplets } = e2e;
  const { slack } = world;
  const [first, second] = droplets.ssh.hosts as [SimHost, SimHost];
  const v1 = droplets.push('v1');
  for (const host of [first, second]) host.seed(droplets.releaseFile(v1));

  it('is reported interrupted by another replica (channel, approval, audit, release log), not re-run', async () => {
    const doomed = await spawnBotProcess(world, { replicaId: 'doomed-droplets', config: e2e.config });
    const v2 = droplets.push('v2');
    const before = approvalMessages(slack).length;
    await world.driver.command(alice, dev, '/deploy', 'api production v2');
    const approval = await newApproval(slack, before);
    // Slow hosts: the second one is still being updated when the replica dies.
    second.delay(1);
    const from = slack.messages.length;
    await click(doomed.driver, bob, approval, 'Approve');
    const progress = await e2e.message('Deploying api production', from);
    await waitFor(
      'the first host to be done, in the thread',
      () => JSON.stringify(slack.replies(progress).map((r) => r.blocks)).includes(`${nameOf(first)}\` done`),
      30_000,
    );
    await waitFor('the second host to be under way', () => second.commands().length > 0, 10_000);
    await doomed.kill('SIGKILL');
    const killedAt = Date.now();
    second.delay(undefined);

    // In the line's thread, mentioning the requester; the line itself ends ❌.
    const report = await waitFor(
      'another replica to report the rollout interrupted',
      () =>
        slack
          .replies(progress)
          .find((m) => m.channel === dev && JSON.stringify(m.blocks).includes('*Interrupted*')),
      30_000,
    );
    const reportedMs = Date.now() - killedAt;
    expect(reportedMs).toBeLessThan(15_000);
    console.log(`fault: Droplet rollout replica killed, reported interrupted after ${reportedMs} ms`);
    expect(report.text).toBe('Deploying api production: failed, the details');
    const said = JSON.stringify(report.blocks);
    expect(said).toContain(`<@${alice}> :warning: *Interrupted*`);
    expect(said).toContain('/deploy api production v2');
    expect(said).toContain(`hosts it had finished: \`${nameOf(first)}\``);
    expect(said).toContain('`/health api production` shows each host');
    expect(progress.text).toBe('Deploying api production: failed');
    expect(JSON.stringify(progress.blocks)).toContain('interrupted: dockside stopped during the rollout');
    await waitFor('the approval to end as failed', () => approval.text.startsWith('Approval failed'), 10_000);
    expect(JSON.stringify(approval.blocks)).toContain('Interrupted: dockside stopped during');
    const outcome = (await world.bot.audit.list({ app: 'api', limit: 50 })).find(
      (e) => e.action === 'approval.outcome.deploy',
    );
    expect(outcome).toMatchObject({ result: 'failed', detail: expect.stringContaining('Interrupted') });
    const [record] = await world.bot.targets.releases.list('api', 'production', 1);
    expect(record).toMatchObject({
      outcome: 'failed',
      failure: { reason: 'interrupted: dockside stopped during the rollout' },
    });
    // Its claim on the env is released: the next rollout is not refused for hours.
    const releases = world.bot.targets.releases;
    expect(await releases.claim('api', 'production', 'probe', 1000)).toBeUndefined();
    await releases.unclaim('api', 'production', 'probe');
    // Not re-run: the first host stays where the dead replica left it, nobody put it back blindly.
    expect(digestsIn(first.releaseFile())).toEqual([v2.backend, v2.frontend]);
    expect(first.commands().filter((c) => c.includes('up')).length).toBe(1);
  }, 90_000);
});
