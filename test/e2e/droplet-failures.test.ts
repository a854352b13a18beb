import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { digestsIn } from '../helpers/digests.js';
import { dropletE2eWorld } from '../helpers/droplet-world.js';
import type { SimHost } from '../helpers/sshd.js';
import { answerTo, waitFor } from '../helpers/world.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

const blocks = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
const nameOf = (h: SimHost) => `[${h.ip}]:${h.port}`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The channel line's own text (the first block; the rest of a finished message is its thread). */
const lineOf = (m: { blocks: unknown[] }) => (m.blocks[0] as { text: { text: string } }).text.text;

describe('a Droplet rollout that fails, through signed requests', async () => {
  const e2e = await dropletE2eWorld({
    hosts: 2,
    envs: (droplets, hosts) => ({
      staging: { droplets: droplets.dropletsEnv(hosts), health_url: droplets.healthUrl },
    }),
  });
  const { world, droplets } = e2e;
  const { driver, slack } = world;
  const staging = droplets.ssh.hosts;
  const v1 = droplets.push('v1');
  for (const host of staging) host.seed(droplets.releaseFile(v1));

  it('a host that turns unhealthy mid-rollout leaves both hosts on the previous release, and the message names it', async () => {
    const [first, second] = staging as [SimHost, SimHost];
    const bad = droplets.push('v2');
    second.unhealthyWhen(bad.backend);
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'api staging v2');
    const message = await e2e.finished('Deploying api staging', from);
    second.unhealthyWhen(undefined);
    expect(message.text).toBe('Deploying api staging: failed');
    for (const host of staging) {
      expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
      expect(digestsIn(host.running())).toEqual([v1.backend, v1.frontend]);
    }
    // The line names the failing host, ends ❌ with the duration; the details are in the thread.
    const line = lineOf(message);
    expect(line).toMatch(
      new RegExp(
        `^:x: \\*Deploying api staging\\* \\(Droplets\\): \`${escapeRe(nameOf(second))}\` failed: backend did not become healthy .*, \\d+(\\.\\d)? m?s$`,
      ),
    );
    expect(line).not.toContain('database connection refused');
    const text = blocks(message);
    // The requester is mentioned in the thread: an edited line notifies nobody.
    expect(text).toContain(`<@${alice}> *\`${nameOf(second)}\` failed*`);
    expect(text).toMatch(/did not become healthy/);
    expect(text).toContain(`Put back on the previous release: \`${nameOf(second)}\`, \`${nameOf(first)}\``);
    // The failing service's last log lines, scrubbed by the core (the fake logs a token).
    expect(text).toContain('database connection refused');
    expect(text).not.toContain('ghp_abcdefghijklmnopqrstuvwx');
    expect(text).toContain('putting the images back does not undo schema changes');
    const result = await waitFor('the audited outcome', async () =>
      (await world.bot.audit.list({ app: 'api', limit: 20 })).find((e) => e.action === 'deploy.result'),
    );
    expect(result).toMatchObject({ result: 'failed' });
    expect(result.detail).toContain(`${nameOf(second)} failed`);
    const [latest] = await world.bot.targets.releases.list('api', 'staging', 1);
    expect(latest).toMatchObject({ outcome: 'rolled_back', failure: { host: nameOf(second) } });
  });

  it('refuses a second rollout of the env while one runs, and the first still ends', async () => {
    droplets.push('v3');
    for (const host of staging) host.delay(0.3);
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'api staging v3');
    await e2e.message('Deploying api staging', from);
    const res = await driver.command(alice, dev, '/deploy', 'api staging v3');
    const answer = await answerTo(world, res, 20_000);
    for (const host of staging) host.delay(undefined);
    expect(answer.text).toMatch(
      /^A rollout of api staging is already running \(r\d{8}T\d{6}-[0-9a-f]{4}\)\./,
    );
    const message = await e2e.finished('Deploying api staging', from);
    expect(message.text).toBe('Deploying api staging: done');
    // The refused one says so in the channel too, and ends there.
    const messages = e2e.lines('Deploying api staging', from);
    await waitFor('the refused one to end', () => messages[1]?.text.endsWith('failed'));
    expect(messages.map((m) => m.text)).toEqual([
      'Deploying api staging: done',
      'Deploying api staging: failed',
    ]);
    expect(blocks(messages[1]!)).toContain('is already running');
    const refused = (await world.bot.audit.list({ app: 'api', limit: 30 })).filter(
      (e) => e.action === 'deploy.result' && e.result === 'refused',
    );
    expect(refused).toHaveLength(1);
  });
});

describe('a Droplet deploy asked where dockside cannot post', async () => {
  const e2e = await dropletE2eWorld({
    hosts: 1,
    envs: (droplets, hosts) => ({ staging: { droplets: droplets.dropletsEnv(hosts) } }),
  });
  const { world, droplets } = e2e;
  const [host] = droplets.ssh.hosts as [SimHost];
  host.seed(droplets.releaseFile(droplets.push('v1')));

  for (const [where, refusing, said, lines] of [
    ['a channel dockside is not in', world.slack.notInChannel, 'dockside cannot post in this channel, so', 0],
    ['a channel without threads', world.slack.noThreads, 'restricted_action_non_threadable_channel', 1],
  ] as const) {
    it(`in ${where}: starts nothing that nobody could follow, and says how to fix it`, async () => {
      droplets.push('v2');
      refusing.add(dev);
      try {
        host.clearCommands();
        const from = world.slack.messages.length;
        const before = new Set((await world.bot.audit.list({ app: 'api', limit: 50 })).map((e) => e.id));
        const res = await world.driver.command(alice, dev, '/deploy', 'api staging v2');
        const answer = await answerTo(world, res, 20_000);
        expect(answer.text).toContain(said);
        expect(answer.text).toContain('so nothing was started');
        expect(host.commands().some((c) => c.includes('up') || c.includes('pull'))).toBe(false);
        // Without threads the line could be posted: it says why nothing happened.
        expect(e2e.lines('Deploying api staging', from)).toHaveLength(lines);
        for (const line of e2e.lines('Deploying api staging', from)) {
          expect(line.text).toBe('Deploying api staging: failed');
          expect(lineOf(line)).toContain(said);
        }
        const result = await waitFor('the audited refusal', async () =>
          (await world.bot.audit.list({ app: 'api', limit: 50 })).find(
            (e) => !before.has(e.id) && e.action === 'deploy.result',
          ),
        );
        expect(result).toMatchObject({ result: 'refused' });
      } finally {
        refusing.delete(dev);
      }
    });
  }
});

describe('a Droplet host whose key is not the one configured', async () => {
  const e2e = await dropletE2eWorld({
    hosts: 1,
    envs: (droplets, hosts) => {
      const env = { ...droplets.dropletsEnv(hosts), host_keys: hosts.map((h) => h.otherKeyLine) };
      return { staging: { droplets: env }, production: { droplets: env, approval: true } };
    },
  });
  const { world, droplets } = e2e;
  const { driver, slack } = world;
  const [host] = droplets.ssh.hosts as [SimHost];
  const v1 = droplets.push('v1');
  host.seed(droplets.releaseFile(v1));
  droplets.push('v2');

  it('refuses to connect, the message says which host, and nothing changes', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'api staging v2');
    const message = await e2e.finished('Deploying api staging', from);
    expect(message.text).toBe('Deploying api staging: failed');
    const text = blocks(message);
    expect(text).toContain(
      `*\`${nameOf(host)}\` failed*: The host key of ${nameOf(host)} does not match host_keys`,
    );
    expect(text).toContain('No host was changed');
    expect(host.commands()).toEqual([]);
    expect(digestsIn(host.releaseFile())).toEqual([v1.backend, v1.frontend]);
  });

  it('asks no approver to approve a deploy to a host it cannot check', async () => {
    const cards = slack.messages.filter((m) => m.text.startsWith('Approval')).length;
    const res = await driver.command(alice, dev, '/deploy', 'api production v2');
    const answer = await answerTo(world, res, 20_000);
    expect(answer.text).toContain(`The host key of ${nameOf(host)} does not match host_keys`);
    expect(slack.messages.filter((m) => m.text.startsWith('Approval'))).toHaveLength(cards);
    expect(host.commands()).toEqual([]);
  });
});
