import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeployTargets, type TargetRunDeps } from '../../handlers/deploy/targets.js';
import { createReleaseLog } from '../../handlers/droplet/release-log.js';
import { processPoll } from '../../handlers/health/alerts.js';
import { createHealthService } from '../../handlers/health/service.js';
import { gatherSummary } from '../../handlers/health/summary.js';
import { sleep, systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import { createDropletApi } from '../../src/do/droplets.js';
import type { DoClient } from '../../src/do/port.js';
import { createLogger } from '../../src/logger.js';
import { shortDigest } from '../../src/registry/image.js';
import { dropletE2eWorld } from '../helpers/droplet-world.js';
import { testRedis } from '../helpers/redis.js';
import { answerTo } from '../helpers/world.js';

/**
 * /health on a Droplet env through a signed Slack request (the sandbox world with an
 * `api` app on real sshd hosts): one host on the release, one on another release, one
 * that accepts TCP and never speaks (a host gone silent); then the summary and alerts,
 * which treat the env like any other.
 */
const opened: net.Socket[] = [];
// Accepts connections and never answers: SSH's banner never comes.
const silent = net.createServer((socket) => {
  opened.push(socket);
  socket.on('error', () => {});
});
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentPort = (silent.address() as net.AddressInfo).port;
afterAll(() => {
  for (const s of opened) s.destroy();
  silent.close();
});

const digests: Record<'v1' | 'v2', { backend: string; frontend: string }> = {} as never;
const e2e = await dropletE2eWorld({
  hosts: 2,
  envs: (droplets, [a, b]) => {
    digests.v1 = droplets.push('v1');
    digests.v2 = droplets.push('v2');
    a!.seed(droplets.releaseFile(digests.v1, 'r1'));
    b!.seed(droplets.releaseFile(digests.v2, 'r2'));
    const env = droplets.dropletsEnv([a!, b!], {
      timeouts: { connect_ms: 1500, command_ms: 20_000, health_ms: 1500 },
    });
    return {
      production: {
        droplets: {
          ...env,
          hosts: [...(env.hosts as string[]), `127.0.0.1:${silentPort}`],
          host_keys: [
            ...(env.host_keys as string[]),
            a!.otherKeyLine.replace(/^\S+/, `[127.0.0.1]:${silentPort}`),
          ],
        },
        health_url: droplets.healthUrl,
        approval: true,
      },
    };
  },
});
const { world, droplets: dw } = e2e;
const { v1, v2 } = digests;
/** The api app alone, for the health services built here (the sandbox's App Platform apps are not their subject). */
const config: Config = { ...e2e.config, apps: { api: e2e.config.apps.api! } };
const { redis } = testRedis('drophealth');

describe('/health on a Droplet env', () => {
  it('shows each host: its release and container health, flags the silent host and the one on another release', async () => {
    const started = Date.now();
    const res = await world.driver.command('U0ALICE', 'C0DEV', '/health', 'api');
    const answer = await answerTo(world, res, 15_000);
    const took = Date.now() - started;
    const [a, b] = dw.ssh.hosts;
    const text = answer.text;
    expect(text).toContain(':x: *1 of 1 envs unhealthy*');
    // The env row: the hosts check names what is wrong, then health_url.
    expect(text).toMatch(
      /❌ api\/production +hosts 1\/3 hosts ok: \[[\d.]+\]:\d+ other release; \[127\.0\.0\.1\]:\d+ unreachable ✗ · http 200/,
    );
    // One row per host, in rollout order: short digests per service and the tag.
    expect(text).toContain(
      `✅ [${a!.ip}]:${a!.port}  backend ${shortDigest(v1.backend)} frontend ${shortDigest(v1.frontend)} · healthy`,
    );
    expect(text).toContain(
      `❌ [${b!.ip}]:${b!.port}  backend ${shortDigest(v2.backend)} frontend ${shortDigest(v2.frontend)} · healthy ⚠ other release`,
    );
    expect(text).toMatch(/❌ \[127\.0\.0\.1\]:\d+ {2}unreachable: /);
    // The silent host costs its connect timeout (1.5 s), not the whole report.
    expect(took).toBeLessThan(8000);
  }, 30_000);

  it('shows the tag a host was deployed from when the release log knows it', async () => {
    const log = createReleaseLog({ redis: world.bot.redis, clock: systemClock });
    await log.start('api', 'production', {
      id: 'r1',
      services: [
        { service: 'backend', image: dw.image('backend'), digest: v1.backend, tag: 'v1' },
        { service: 'frontend', image: dw.image('frontend'), digest: v1.frontend, tag: 'v1' },
      ],
      kind: 'deploy',
      by: 'U0ALICE',
      at: new Date().toISOString(),
      outcome: 'started',
    });
    const answer = await answerTo(
      world,
      await world.driver.command('U0ALICE', 'C0DEV', '/health', ''),
      15_000,
    );
    const a = dw.ssh.hosts[0]!;
    expect(answer.text).toContain(
      `✅ [${a.ip}]:${a.port}  backend ${shortDigest(v1.backend)} frontend ${shortDigest(v1.frontend)} (v1) · healthy`,
    );
  }, 30_000);

  it('puts the Droplet env into the daily summary like any other env', async () => {
    const log = createLogger({ level: 'silent' });
    const unusedDo = new Proxy({} as DoClient, {
      get: () => () => Promise.reject(new Error('no App Platform call expected')),
    });
    const targets = createDeployTargets({
      config,
      redis,
      droplets: createDropletApi({ token: dw.sim.token, endpoint: dw.sim.url }),
      log,
      clock: systemClock,
      sleep,
      probeHealth: async () => ({ name: 'http', state: 'good', detail: 'ok' }),
      // Health and the summary only read: nothing here may run an action.
      runs: {} as TargetRunDeps,
    });
    const health = createHealthService({
      config,
      do: unusedDo,
      redis,
      locks: { list: async () => [] } as never,
      pingDatabase: async () => {},
      clock: systemClock,
      targets,
    });
    const message = await gatherSummary({
      config,
      health,
      approvals: { listByState: async () => [] },
      backups: { list: async () => ({ items: [] }) as never },
      clock: systemClock,
    });
    const text = (message.blocks ?? []).map((b) => (b as { text: { text: string } }).text.text).join('\n');
    expect(message.text).toBe('Health summary: 1 things need a person');
    expect(text).toMatch(
      /❌ api\/production is unhealthy: hosts 1\/3 hosts ok: .*other release; .*unreachable/,
    );
    const a = dw.ssh.hosts[0]!;
    expect(text).toContain(`✅ [${a.ip}]:${a.port}  backend ${shortDigest(v1.backend)}`);
    // Every code block the summary opens is closed in the same block.
    for (const block of message.blocks ?? []) {
      expect(((block as { text: { text: string } }).text.text.match(/```/g) ?? []).length % 2).toBe(0);
    }
  }, 30_000);

  it('alerts on a Droplet env like any other: without a health_url the poll checks the hosts', async () => {
    const env = config.apps.api!.environments.production!;
    const { health_url: _url, ...withoutUrl } = env;
    const noUrl = {
      ...config,
      apps: { api: { ...config.apps.api!, environments: { production: withoutUrl } } },
    };
    const targets = createDeployTargets({
      config: noUrl,
      redis,
      droplets: createDropletApi({ token: dw.sim.token, endpoint: dw.sim.url }),
      log: createLogger({ level: 'silent' }),
      clock: systemClock,
      sleep,
      probeHealth: async () => ({ name: 'http', state: 'good', detail: 'ok' }),
      // Health and the summary only read: nothing here may run an action.
      runs: {} as TargetRunDeps,
    });
    const health = createHealthService({
      config: noUrl,
      do: new Proxy({} as DoClient, { get: () => () => Promise.reject(new Error('no DO call expected')) }),
      redis,
      locks: { list: async () => [] } as never,
      pingDatabase: async () => {},
      clock: systemClock,
      targets,
    });
    const posted: string[] = [];
    const poll = async () =>
      processPoll(
        {
          redis,
          clock: systemClock,
          log: createLogger({ level: 'silent' }),
          threshold: 2,
          post: async (m) => void posted.push(m.text),
        },
        await health.checkEnvs({ includeDo: false }),
      );
    await poll();
    expect(posted).toEqual([]);
    await poll();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatch(
      /^:red_circle: \*api\/production is unhealthy\* \(2 failed checks in a row\): hosts 1\/3 hosts ok: .*other release; .*unreachable$/,
    );
  }, 30_000);
});
