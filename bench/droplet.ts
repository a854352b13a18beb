import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../src/redis.js';
import { startDropletWorld } from '../test/droplet/world.js';

export interface DropletBenchResult {
  hosts: number;
  /** Seconds each simulated `docker` call takes (the remote work). */
  dockerDelayS: number;
  runs: Array<{
    batch: number;
    wallMs: number;
    remoteMs: number;
    commands: number;
    /** Wall time not spent inside a remote command: SSH, registry, DO API, Redis. */
    overheadMs: number;
    ok: boolean;
  }>;
}

/**
 * A rollout over 3 simulated Droplets (real sshd, the docker stand-in taking
 * `dockerDelayS` per call, the fake registry, the DO simulator's load balancer, Redis),
 * timed against the sum of its remote commands' times as ssh2 measured them. With
 * batch 1 the hosts go one after another, so the wall time should be that sum plus a
 * small overhead; with batch 2 the two hosts after the first go at once.
 */
export async function benchDroplet(options: { dockerDelayS?: number } = {}): Promise<DropletBenchResult> {
  const dockerDelayS = options.dockerDelayS ?? 0.1;
  const prefix = `bench:droplet:${randomBytes(4).toString('hex')}:`;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { keyPrefix: prefix });
  const world = await startDropletWorld({ hosts: 3, redis });
  const runs: DropletBenchResult['runs'] = [];
  try {
    world.ssh.hosts.forEach((h, i) => {
      h.delay(dockerDelayS);
      world.sim.droplets.addDroplet({
        id: 500 + i,
        name: `bench-${i}`,
        tags: ['bench'],
        privateIp: h.ip,
        publicIp: `203.0.113.${i + 1}`,
      });
    });
    world.sim.droplets.addLoadBalancer({ id: 'lb-bench', dropletIds: [500, 501, 502] });
    for (const [i, batch] of [1, 2].entries()) {
      world.push(`b${i}`);
      const env = world.dropletsEnv(world.ssh.hosts, { load_balancer_id: 'lb-bench', batch });
      const target = world.target(world.config({ production: { droplets: env } }), 'production');
      const plan = await target.planDeploy({ tag: `b${i}` });
      world.commands.length = 0;
      const started = performance.now();
      const result = await target.deploy(plan, { by: 'bench' });
      const wallMs = Math.round(performance.now() - started);
      const remoteMs = world.commands.reduce((sum, c) => sum + c.durationMs, 0);
      runs.push({
        batch,
        wallMs,
        remoteMs,
        commands: world.commands.length,
        overheadMs: wallMs - remoteMs,
        ok: result.ok,
      });
    }
  } finally {
    await world.close();
    const plain = new Redis(url);
    await deleteKeysUnder(plain, prefix);
    plain.disconnect();
    redis.disconnect();
  }
  console.log(
    `droplet: rollout over 3 simulated hosts (real sshd), each docker call ${dockerDelayS * 1000} ms`,
  );
  for (const r of runs) {
    console.log(
      `  batch ${r.batch}: wall ${r.wallMs} ms, ${r.commands} remote commands summing ${r.remoteMs} ms, ` +
        `overhead ${r.overheadMs} ms (${Math.round(r.overheadMs / r.commands)} ms a command), ${r.ok ? 'ok' : 'FAILED'}`,
    );
  }
  const [serial, parallel] = runs;
  const checks: Array<[string, boolean]> = [
    ['every rollout succeeded', runs.every((r) => r.ok)],
    // Mostly fixed: three SSH handshakes (at once), six load balancer calls, the release log.
    ['batch 1: overhead under 600 ms in all', !!serial && serial.overheadMs < 600],
    [
      'batch 2: wall time under the sum of remote times (hosts 2 and 3 at once)',
      !!parallel && parallel.wallMs < parallel.remoteMs,
    ],
  ];
  for (const [text, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'} ${text}`);
  return { hosts: 3, dockerDelayS, runs };
}
