import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { shortDigest } from '../../src/registry/image.js';
import { sandboxConfigText } from '../../src/sandbox/config.js';
import { type SandboxDroplets, startSandboxDroplets } from '../../src/sandbox/droplet-env.js';
import { runSandbox } from '../../src/sandbox/run.js';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { digestsIn } from '../helpers/digests.js';
import { deleteKeys } from '../helpers/redis.js';
import { answerTo } from '../helpers/world.js';

/** The sandbox's Droplet app `api`: simulated hosts over in-process SSH, the fake ghcr.io. */
describe('the sandbox Droplet env', () => {
  let droplets: SandboxDroplets;
  let world: World;
  let configText: string;

  beforeAll(async () => {
    droplets = await startSandboxDroplets();
    configText = sandboxConfigText({
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

  it('answers /health api with each host on the seeded release, its tag and container health', async () => {
    const answer = await answerTo(
      world,
      await world.driver.command('U0ALICE', 'C0DEV', '/health', 'api'),
      15_000,
    );
    const v1 = droplets.seeded.digests;
    const release = `backend ${shortDigest(v1.backend)} frontend ${shortDigest(v1.frontend)} (v1) · healthy`;
    expect(answer.text).toContain(':white_check_mark: *2 envs healthy*');
    for (const host of droplets.hosts.hosts)
      expect(answer.text).toContain(`✅ [127.0.0.1]:${host.port}  ${release}`);
  });

  it('deploys latest to both staging hosts through the target, one migration, production untouched', async () => {
    const target = world.bot.targets.droplet('api', 'staging');
    const plan = await target.planDeploy({ tag: 'latest' });
    const latest = [
      droplets.registry.digestOf('acme/vulcan/backend', 'latest'),
      droplets.registry.digestOf('acme/vulcan/frontend', 'latest'),
    ];
    expect(plan.changes.map((c) => c.to.digest)).toEqual(latest);
    const result = await target.deploy(plan, { by: 'U0ALICE' });
    expect(result.ok).toBe(true);
    for (const host of droplets.staging) expect(digestsIn(host.releaseFile())).toEqual(latest);
    expect(droplets.staging.flatMap((h) => h.migrations())).toEqual(['backend\tsh -c alembic upgrade head']);
    for (const host of droplets.production) {
      expect(digestsIn(host.releaseFile())).toEqual([
        droplets.seeded.digests.backend,
        droplets.seeded.digests.frontend,
      ]);
    }
    // The configured root is the host's own directory: each host got its own file.
    expect(droplets.staging[0]?.releaseFile()).toContain(`# dockside release ${plan.release.id}`);
  });

  it('stops a rollout at a host that turns unhealthy and puts both hosts back, over the in-process SSH', async () => {
    const [first, second] = droplets.production;
    const next = droplets.push('v3');
    second!.unhealthyWhen(next.backend);
    try {
      const target = world.bot.targets.droplet('api', 'production');
      const plan = await target.planDeploy({ tag: 'v3' });
      const result = await target.deploy(plan, { by: 'U0ALICE' });
      expect(result.ok).toBe(false);
      expect(result.failedHost).toBe(`[127.0.0.1]:${second!.port}`);
      expect(result.restored.sort()).toEqual(
        [`[127.0.0.1]:${first!.port}`, `[127.0.0.1]:${second!.port}`].sort(),
      );
      expect(result.logTail).toContain('database connection refused');
      expect(result.logTail).not.toContain('ghp_abcdefghijklmnopqrstuvwx');
      const seeded = [droplets.seeded.digests.backend, droplets.seeded.digests.frontend];
      for (const host of droplets.production) {
        expect(digestsIn(host.releaseFile())).toEqual(seeded);
        expect(digestsIn(host.running())).toEqual(seeded);
      }
    } finally {
      second!.unhealthyWhen(undefined);
    }
  });

  it('flags a production host whose containers turn unhealthy', async () => {
    const sick = droplets.production[1]!;
    sick.unhealthyWhen('@sha256');
    try {
      const answer = await answerTo(
        world,
        await world.driver.command('U0ALICE', 'C0DEV', '/health', 'api'),
        15_000,
      );
      expect(answer.text).toContain(':x: *1 of 2 envs unhealthy*');
      expect(answer.text).toContain(`hosts 1/2 hosts ok: [127.0.0.1]:${sick.port} unhealthy ✗`);
      expect(answer.text).toContain(`[127.0.0.1]:${sick.port}  backend`);
      expect(answer.text).toMatch(/unhealthy: curl: \(7\) Failed to connect/);
    } finally {
      sick.unhealthyWhen(undefined);
    }
  });

  it('keeps the SSH key and registry token out of the config text, the logs and the answers', () => {
    const key = droplets.env.DROPLET_SSH_KEY.split('\n')[1] ?? 'missing';
    expect(configText).not.toContain(key);
    expect(configText).not.toContain(droplets.env.GHCR_TOKEN);
    const seen = [...world.logs, ...world.slack.ephemerals.map((e) => e.text)].join('\n');
    expect(seen).not.toContain(key);
    expect(seen).not.toContain(droplets.env.GHCR_TOKEN);
  });
});

describe('npm start without Slack credentials', () => {
  it('opens a session where /health api shows the simulated hosts', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    const session = runSandbox({ input, output });
    const until = async (text: string | RegExp, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (typeof text === 'string' ? !screen.includes(text) : !text.test(screen)) {
        if (Date.now() > deadline)
          throw new Error(`the sandbox never showed ${text}:\n${screen.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('alice@#dev> ');
    expect(screen).toContain('The Droplet app api runs on 4 simulated hosts');
    input.write('/health api\n');
    await until(/api\/production +hosts 2\/2 hosts ok/);
    expect(screen).toMatch(/api\/staging +hosts 2\/2 hosts ok · http 200/);
    expect(screen).toMatch(
      /✅ \[127\.0\.0\.1\]:\d+ {2}backend [0-9a-f]{12} frontend [0-9a-f]{12} \(v1\) · healthy/,
    );
    // /deploy drives Droplet envs (handlers/droplet/run.ts): staging moves to latest.
    let from = screen.length;
    input.write('/deploy api staging\n');
    await until(/✅ \*Deployed api staging\* \(Droplets\): 2 hosts on/);
    input.write('/health api\n');
    await until(/backend [0-9a-f]{12} frontend [0-9a-f]{12} \(latest\) · healthy/);
    expect(screen.slice(from).match(/\(latest\) · healthy/g)).toHaveLength(2);
    // /promote asks bob in #ops; once he approves, production runs staging's digests.
    from = screen.length;
    input.write('/promote api\n');
    await until('Approval needed: Promote api production');
    const approve = /\[(\d+): Approve\]/.exec(
      screen.slice(screen.lastIndexOf('Approval needed: Promote api production')),
    );
    expect(approve).not.toBeNull();
    input.write(`as bob\nclick ${approve?.[1]}\n`);
    await until(/✅ \*Promoted to api production\* \(Droplets\): 2 hosts on/, 30_000);
    input.write('as alice\n/health api\n');
    await until(/api\/production +hosts 2\/2 hosts ok[^\n]*\n[^\n]*\(latest\) · healthy/);
    from = screen.length;
    input.write('host production 2 down\n/health api\n');
    await until(/api\/production +hosts 1\/2 hosts ok: \[127\.0\.0\.1\]:\d+ unreachable/);
    expect(screen.slice(from)).toContain('❌ *1 of 2 envs unhealthy*');
    expect(screen.slice(from)).toMatch(/❌ \[127\.0\.0\.1\]:\d+ {2}unreachable: /);
    input.write('host production 2 ok\nquit\n');
    input.end();
    await session;
  }, 60_000);
});
