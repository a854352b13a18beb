import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutEvent } from '../../handlers/deploy/target.js';
import { planDropletPromote } from '../../handlers/droplet/promote-plan.js';
import { digestsIn } from '../helpers/digests.js';
import { testRedis } from '../helpers/redis.js';
import type { SimHost } from '../helpers/sshd.js';
import { type DropletWorld, startDropletWorld } from './world.js';

const { redis } = testRedis('droplet');
let world: DropletWorld;
let staging: SimHost[];
let production: SimHost[];

const subcommands = (host: SimHost) =>
  host
    .commands()
    .map((argv) =>
      argv[0] === 'compose' ? argv[argv.indexOf('--env-file') + 2] : argv.slice(0, 2).join(' '),
    );

beforeAll(async () => {
  world = await startDropletWorld({ hosts: 4, redis });
  staging = world.ssh.hosts.slice(0, 2);
  production = world.ssh.hosts.slice(2, 4);
  for (const [i, h] of world.ssh.hosts.entries()) {
    world.sim.droplets.addDroplet({
      id: 100 + i,
      name: `api-${i}`,
      tags: [i < 2 ? 'api-staging' : 'api-prod'],
      privateIp: h.ip,
      publicIp: `203.0.113.${i + 1}`,
    });
  }
  world.sim.droplets.addLoadBalancer({ id: 'lb-staging', dropletIds: [100, 101] });
  world.sim.droplets.addLoadBalancer({ id: 'lb-prod', dropletIds: [102, 103] });
}, 60_000);
afterAll(() => world?.close());

const config = () =>
  world.config({
    staging: {
      droplets: world.dropletsEnv(staging, { load_balancer_id: 'lb-staging' }),
      health_url: world.healthUrl,
    },
    production: {
      droplets: world.dropletsEnv(production, { load_balancer_id: 'lb-prod' }),
      health_url: world.healthUrl,
    },
  });

describe('a Droplet env over real SSH', () => {
  let v2: { backend: string; frontend: string };

  it('deploys a tag to both staging hosts: same digests, one migration, each host out of the LB while updated', async () => {
    v2 = world.push('v2');
    const target = world.target(config(), 'staging');
    const plan = await target.planDeploy({ tag: 'v2' });
    expect(plan.changes.map((c) => [c.service, c.from, c.to])).toEqual([
      ['backend', undefined, { digest: v2.backend, tag: 'v2' }],
      ['frontend', undefined, { digest: v2.frontend, tag: 'v2' }],
    ]);
    const hitsBefore = world.healthHits();
    const events: RolloutEvent[] = [];
    const result = await target.deploy(plan, {
      by: 'U0ALICE',
      auditId: 'a-1',
      onEvent: (e) => void events.push(e),
    });

    expect(result).toMatchObject({ ok: true, restored: [], healthUrl: { ok: true } });
    for (const host of staging) {
      expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
      expect(host.running()).toBe(host.releaseFile());
      expect(subcommands(host)).toEqual(expect.arrayContaining(['pull', 'up']));
    }
    expect([...staging[0]!.migrations(), ...staging[1]!.migrations()]).toEqual([
      'backend\tsh -c alembic upgrade head',
    ]);
    expect(world.healthHits()).toBe(hitsBefore + 1);
    const lb = world.sim.droplets.loadBalancer('lb-staging');
    expect(lb.history).toEqual([
      { action: 'remove', dropletIds: [100] },
      { action: 'add', dropletIds: [100] },
      { action: 'remove', dropletIds: [101] },
      { action: 'add', dropletIds: [101] },
    ]);
    expect(lb.dropletIds.sort()).toEqual([100, 101]);
    // the first host is finished before the second one starts (the barrier)
    const steps = events.map((e) => `${e.step}@${e.host?.includes(`[${staging[0]!.ip}]`) ? 1 : 2}`);
    expect(steps.indexOf('host_done@1')).toBeLessThan(steps.indexOf('pull@2'));

    const [record] = await target.releases(1);
    expect(record).toMatchObject({
      id: plan.release.id,
      by: 'U0ALICE',
      auditId: 'a-1',
      outcome: 'succeeded',
      kind: 'deploy',
    });
    expect(record?.services.map((s) => s.digest)).toEqual([v2.backend, v2.frontend]);
  });

  it('puts both hosts back when the second turns unhealthy, naming it and showing its logs', async () => {
    const v3 = world.push('v3');
    staging[1]!.unhealthyWhen(v3.backend);
    try {
      const target = world.target(config(), 'staging');
      const plan = await target.planDeploy({ tag: 'v3' });
      expect(plan.changes[0]?.from).toEqual({ digest: v2.backend, tag: 'v2' });
      const result = await target.deploy(plan, { by: 'U0ALICE' });

      expect(result.ok).toBe(false);
      expect(result.failedHost).toBe(`[${staging[1]!.ip}]:${staging[1]!.port}`);
      expect(result.reason).toContain('did not become healthy');
      expect(result.restored.sort()).toEqual(staging.map((h) => `[${h.ip}]:${h.port}`).sort());
      expect(result.logTail).toContain('database connection refused');
      expect(result.logTail).not.toContain('ghp_abcdefghijklmnopqrstuvwx');
      for (const host of staging) {
        expect(digestsIn(host.releaseFile())).toEqual([v2.backend, v2.frontend]);
        expect(digestsIn(host.running())).toEqual([v2.backend, v2.frontend]);
      }
      expect(world.sim.droplets.loadBalancer('lb-staging').dropletIds.sort()).toEqual([100, 101]);
      const [record] = await target.releases(1);
      expect(record).toMatchObject({ outcome: 'rolled_back', failure: { host: result.failedHost } });
    } finally {
      staging[1]!.unhealthyWhen(undefined);
    }
  });

  it('rolls back to an older release from the log without pulling', async () => {
    const target = world.target(config(), 'staging');
    const v4 = world.push('v4');
    expect((await target.deploy(await target.planDeploy({ tag: 'v4' }), { by: 'U0ALICE' })).ok).toBe(true);
    for (const host of staging) expect(digestsIn(host.releaseFile())).toEqual([v4.backend, v4.frontend]);

    const older = (await target.releases(10)).find(
      (r) => r.outcome === 'succeeded' && r.services[0]?.digest === v2.backend,
    );
    expect(older).toBeDefined();
    for (const host of staging) host.clearCommands();
    const migrationsBefore = staging[0]!.migrations().length;
    const plan = await target.planRelease(older!, 'rollback');
    expect(target.describe(plan).lines[0]).toMatch(/^backend: [a-f0-9]{12} \(v4\) -> [a-f0-9]{12} \(v2\)$/);
    const result = await target.deploy(plan, { by: 'U0BOB' });

    expect(result.ok).toBe(true);
    for (const host of staging) {
      expect(digestsIn(host.running())).toEqual([v2.backend, v2.frontend]);
      expect(subcommands(host)).not.toContain('pull');
      expect(subcommands(host)).toContain('image inspect');
    }
    expect(staging[0]!.migrations().length).toBe(migrationsBefore);
    expect((await target.releases(1))[0]).toMatchObject({
      kind: 'rollback',
      outcome: 'succeeded',
      by: 'U0BOB',
    });
  });

  it('promotes staging to production: production runs staging digests, with their tags', async () => {
    const v1 = world.push('v1');
    for (const host of production) host.seed(world.releaseFile(v1));
    const cfg = config();
    const from = world.target(cfg, 'staging');
    const to = world.target(cfg, 'production');
    const stagingNow = await from.currentRelease();
    const promotion = await planDropletPromote(from, to);
    if (promotion.nothingToDo) throw new Error('staging and production already ran the same digests');
    const { plan } = promotion;
    expect(plan.kind).toBe('promote');
    expect(plan.changes.map((c) => [c.from?.digest, c.to])).toEqual([
      [v1.backend, { digest: stagingNow!.services[0]!.digest, tag: 'v2' }],
      [v1.frontend, { digest: stagingNow!.services[1]!.digest, tag: 'v2' }],
    ]);
    expect(to.describe(plan).title).toBe('Promote to api production');
    const result = await to.deploy(plan, { by: 'U0ALICE' });
    expect(result.ok).toBe(true);
    for (const host of production) {
      expect(digestsIn(host.releaseFile())).toEqual(stagingNow!.services.map((s) => s.digest));
    }
    expect((await to.currentRelease())?.services.map((s) => s.digest)).toEqual(
      stagingNow!.services.map((s) => s.digest),
    );
    expect(await planDropletPromote(from, to)).toMatchObject({ nothingToDo: true });
  });

  it('reports each host in health: reachable, release, container health', async () => {
    const target = world.target(config(), 'production');
    production[1]!.unhealthyWhen('@sha256');
    try {
      const health = await target.health();
      expect(health.state).toBe('bad');
      expect(health.hosts.map((h) => [h.reachable, h.healthy])).toEqual([
        [true, true],
        [true, false],
      ]);
      expect(Object.keys(health.hosts[0]?.releaseDigests ?? {})).toEqual(['backend', 'frontend']);
    } finally {
      production[1]!.unhealthyWhen(undefined);
    }
  });
});

describe('host keys during a deploy', () => {
  it('refuses a host whose key changed, names it, and runs nothing there', async () => {
    const host = staging[0]!;
    host.clearCommands();
    const env = world.dropletsEnv([host], { host_keys: [host.otherKeyLine] });
    const target = world.target(world.config({ staging: { droplets: env } }), 'staging');
    const plan = await target.planRelease(
      { id: 'x', services: (await world.target(config(), 'staging').currentRelease())!.services },
      'deploy',
    );
    const result = await target.deploy(plan, { by: 'U0ALICE' });
    expect(result.ok).toBe(false);
    expect(result.failedHost).toBe(`[${host.ip}]:${host.port}`);
    expect(result.reason).toContain('does not match host_keys');
    expect(host.commands()).toEqual([]);
  });

  it('refuses a tagged Droplet whose key is not in host_keys, naming it', async () => {
    const host = production[0]!;
    world.sim.droplets.addDroplet({
      name: 'api-new',
      tags: ['api-new'],
      privateIp: host.ip,
      publicIp: '203.0.113.50',
    });
    host.clearCommands();
    const env = world.dropletsEnv([], {
      hosts: undefined,
      tag: 'api-new',
      port: host.port,
      host_keys: [staging[1]!.hostKeyLine],
    });
    const target = world.target(world.config({ production: { droplets: env } }), 'production');
    await expect(target.currentRelease()).rejects.toMatchObject({
      code: 'ssh_host_key_refused',
      message: expect.stringContaining(`[${host.ip}]:${host.port} is not in host_keys`),
    });
    expect(host.commands()).toEqual([]);
  });

  it('refuses at start-up a listed host without a host_keys line', () => {
    expect(() =>
      world.config({
        staging: { droplets: world.dropletsEnv(staging, { host_keys: [staging[0]!.hostKeyLine] }) },
      }),
    ).toThrow(/no host_keys line for \[127/);
  });
});
