import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeLines } from '../../src/render/droplet-rollout.js';
import { digestsIn } from '../helpers/digests.js';
import { testRedis } from '../helpers/redis.js';
import type { SimHost } from '../helpers/sshd.js';
import { type DropletWorld, startDropletWorld } from './world.js';

const { redis } = testRedis('droplet-fail');
let world: DropletWorld;
let hosts: SimHost[];
let v1: { backend: string; frontend: string };

const name = (h: SimHost) => `[${h.ip}]:${h.port}`;
const ran = (h: SimHost, sub: string) => h.commands().some((argv) => argv.includes(sub));

beforeAll(async () => {
  world = await startDropletWorld({ hosts: 2, redis });
  hosts = world.ssh.hosts;
  for (const [i, h] of hosts.entries()) {
    world.sim.droplets.addDroplet({
      id: 200 + i,
      name: `f-${i}`,
      tags: [],
      privateIp: h.ip,
      publicIp: `198.51.100.${i}`,
    });
  }
  world.sim.droplets.addLoadBalancer({ id: 'lb-f', dropletIds: [200, 201] });
  world.sim.droplets.addLoadBalancer({ id: 'lb-by-tag', tag: 'api' });
  v1 = world.push('v1');
}, 60_000);
afterAll(() => world?.close());

function reset() {
  for (const h of hosts) {
    h.seed(world.releaseFile(v1));
    h.clearCommands();
    h.failOn(undefined);
    h.unhealthyWhen(undefined);
  }
}

const target = (extra: Record<string, unknown> = {}) =>
  world.target(world.config({ staging: { droplets: world.dropletsEnv(hosts, extra) } }), 'staging');

describe('a rollout that cannot go through', () => {
  it('touches no host when one of them presents the wrong key', async () => {
    reset();
    const keys = [hosts[0]!.hostKeyLine, hosts[1]!.otherKeyLine];
    const result = await target({ host_keys: keys }).deploy(await target().planDeploy({ tag: 'v1' }), {
      by: 'U1',
    });
    expect(result).toMatchObject({ ok: false, failedHost: name(hosts[1]!), restored: [], updated: [] });
    expect(result.reason).toContain('does not match host_keys');
    expect(hosts[0]!.commands()).toEqual([]);
  });

  it('stops at a failed pull on the first host: no up anywhere, the second host untouched', async () => {
    reset();
    const v2 = world.push('v2');
    hosts[0]!.failOn('pull');
    const t = target();
    const result = await t.deploy(await t.planDeploy({ tag: 'v2' }), { by: 'U1' });
    expect(result).toMatchObject({ ok: false, failedHost: name(hosts[0]!), restored: [name(hosts[0]!)] });
    expect(result.reason).toBe('pull exited with 1: simulated pull failure');
    expect(result.logTail).toBeUndefined();
    expect(ran(hosts[0]!, 'up')).toBe(false);
    expect(hosts[1]!.commands()).toEqual([]);
    expect(digestsIn(hosts[0]!.releaseFile())).toEqual([v1.backend, v1.frontend]);
    expect(digestsIn(hosts[0]!.releaseFile())).not.toContain(v2.backend);
  });

  it('says a host with no earlier release could not be put back', async () => {
    reset();
    hosts[1]!.wipe();
    const fresh = world.push('fresh');
    hosts[1]!.unhealthyWhen(fresh.backend);
    const t = target();
    const result = await t.deploy(await t.planDeploy({ tag: 'fresh' }), { by: 'U1' });
    expect(result).toMatchObject({ ok: false, failedHost: name(hosts[1]!), restored: [name(hosts[0]!)] });
    expect(result.notRestored).toEqual([
      { host: name(hosts[1]!), reason: 'it had no release before this one' },
    ]);
    expect(digestsIn(hosts[0]!.running())).toEqual([v1.backend, v1.frontend]);
  });

  it('puts the host back when the load balancer call fails, and says why', async () => {
    reset();
    const t = target({ load_balancer_id: 'lb-missing' });
    const result = await t.deploy(
      await t.planRelease({ id: 'x', services: (await t.currentRelease())!.services }, 'deploy'),
      {
        by: 'U1',
      },
    );
    expect(result).toMatchObject({ ok: false, failedHost: name(hosts[0]!), restored: [name(hosts[0]!)] });
    expect(result.reason).toMatch(/Load balancer lb-missing/);
    expect(ran(hosts[0]!, 'up')).toBe(false);
  });

  it('tells a reason from DigitalOcean escaped once: what it names reads as typed', async () => {
    reset();
    const t = target({ load_balancer_id: 'lb-<gone>&co' });
    const result = await t.deploy(
      await t.planRelease({ id: 'x', services: (await t.currentRelease())!.services }, 'deploy'),
      { by: 'U1' },
    );
    // The reason is plain text (audit, release log); each renderer escapes it once.
    expect(result.reason).toContain('lb-<gone>&co');
    const shown = outcomeLines({ kind: 'deploy', app: 'api', env: 'staging', releaseId: 'x' }, result).join(
      '\n',
    );
    expect(shown).toContain('lb-&lt;gone&gt;&amp;co');
    expect(shown).not.toContain('&amp;lt;');
    expect(shown).not.toContain('&amp;amp;');
  });

  it('says what to do when the load balancer picks its Droplets by tag', async () => {
    reset();
    const t = target({ load_balancer_id: 'lb-by-tag' });
    const result = await t.deploy(
      await t.planRelease({ id: 'x', services: (await t.currentRelease())!.services }, 'deploy'),
      { by: 'U1' },
    );
    expect(result).toMatchObject({ ok: false, failedHost: name(hosts[0]!), restored: [name(hosts[0]!)] });
    expect(result.reason).toMatch(/load balancer lb-by-tag \(HTTP 422\)/);
    expect(result.reason).toContain('give droplets.load_balancer_id a load balancer that lists them by id');
    expect(ran(hosts[0]!, 'up')).toBe(false);
  });

  it('names a host that does not answer', async () => {
    reset();
    const env = world.dropletsEnv(hosts, {
      hosts: [hosts[0]!.address, '127.0.0.1:1'],
      host_keys: [hosts[0]!.hostKeyLine, '[127.0.0.1]:1 ssh-ed25519 AAAA'],
    });
    const t = world.target(world.config({ staging: { droplets: env } }), 'staging');
    const result = await t.deploy(await t.planDeploy({ tag: 'v1' }), { by: 'U1' });
    expect(result).toMatchObject({ ok: false, failedHost: '[127.0.0.1]:1' });
    expect(result.reason).toMatch(/Could not connect to dockside-ssh-test@\[127.0.0.1\]:1/);
    expect(hosts[0]!.commands()).toEqual([]);
  });

  it('checks health_url at the end: a failure with auto_rollback puts every host back', async () => {
    reset();
    world.push('v5');
    world.setHealth(503);
    try {
      const cfg = (autoRollback: boolean) =>
        world.config({
          staging: {
            droplets: world.dropletsEnv(hosts),
            health_url: world.healthUrl,
            auto_rollback: autoRollback,
          },
        });
      const kept = world.target(cfg(false), 'staging');
      const failed = await kept.deploy(await kept.planDeploy({ tag: 'v5' }), { by: 'U1' });
      expect(failed).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^health_url answered 503/),
        restored: [],
      });
      expect((await kept.releases(1))[0]?.outcome).toBe('failed');
      for (const h of hosts) expect(digestsIn(h.running())).not.toEqual([v1.backend, v1.frontend]);

      reset();
      const auto = world.target(cfg(true), 'staging');
      const back = await auto.deploy(await auto.planDeploy({ tag: 'v5' }), { by: 'U1' });
      expect(back).toMatchObject({ ok: false, healthUrl: { ok: false } });
      expect(back.restored.sort()).toEqual(hosts.map(name).sort());
      for (const h of hosts) expect(digestsIn(h.running())).toEqual([v1.backend, v1.frontend]);
      expect((await auto.releases(1))[0]?.outcome).toBe('rolled_back');
    } finally {
      world.setHealth(200, '{"status":"ok"}');
    }
  });

  it('refuses a second rollout of the same env while one runs', async () => {
    reset();
    hosts[0]!.delay(0.3);
    try {
      const t = target();
      const plan = await t.planDeploy({ tag: 'v1' });
      let underway = () => {};
      const reported = new Promise<void>((resolve) => {
        underway = resolve;
      });
      const first = t.deploy(plan, { by: 'U1', onEvent: () => underway() });
      await reported;
      await expect(t.deploy(await t.planDeploy({ tag: 'v1' }), { by: 'U2' })).rejects.toMatchObject({
        code: 'deploy_in_progress',
        message: expect.stringContaining(plan.release.id),
      });
      expect((await first).ok).toBe(true);
      // and once it is over, the env is free again
      expect((await t.deploy(await t.planDeploy({ tag: 'v1' }), { by: 'U2' })).ok).toBe(true);
    } finally {
      hosts[0]!.delay(undefined);
    }
  });

  it('does nothing when the env changed between plan and deploy', async () => {
    reset();
    const t = target();
    const plan = await t.planDeploy({ tag: 'v1' });
    const other = world.push('other');
    hosts[0]!.seed(world.releaseFile(other));
    hosts[0]!.clearCommands();
    await expect(t.deploy(plan, { by: 'U1' })).rejects.toMatchObject({ code: 'approval_stale' });
    expect(hosts[0]!.commands()).toEqual([]);
    expect((await t.releases(1))[0]?.id).not.toBe(plan.release.id);
  });

  it('names a host whose command hangs, and puts it back over a new connection', async () => {
    reset();
    world.push('slow');
    hosts[0]!.delay(5);
    try {
      const t = target({ timeouts: { connect_ms: 5000, command_ms: 700, health_ms: 1500 } });
      const result = await t.deploy(await t.planDeploy({ tag: 'slow' }), { by: 'U1' });
      expect(result).toMatchObject({ ok: false, failedHost: name(hosts[0]!), restored: [name(hosts[0]!)] });
      expect(result.reason).toMatch(/did not finish on .* within 1 s/);
      expect(digestsIn(hosts[0]!.releaseFile())).toEqual([v1.backend, v1.frontend]);
      expect(hosts[1]!.commands()).toEqual([]);
    } finally {
      hosts[0]!.delay(undefined);
    }
  });
});
