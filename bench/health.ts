import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createHealthService } from '../handlers/health/service.js';
import { systemClock } from '../src/clock.js';
import { Config } from '../src/config/schema.js';
import type { DoClient } from '../src/do/port.js';

export interface HealthBenchResult {
  apps: number;
  timeoutMs: number;
  timeouts: number;
  slowestAnswerMs: number;
  runs: Array<{ concurrency: number; totalMs: number; targetMs: number; withinTarget: boolean }>;
}

/** Deterministic pseudo-random numbers, so every run simulates the same fleet. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/**
 * 200 simulated apps, each with its own local HTTP server answering /health after
 * 50 ms to 2 s; every 20th never answers. Measures a full check of all of them
 * against the target: the timeout plus 10 %, however many apps there are.
 */
export async function benchHealth(
  options: { apps?: number; timeoutMs?: number } = {},
): Promise<HealthBenchResult> {
  const apps = options.apps ?? 200;
  const timeoutMs = options.timeoutMs ?? 3000;
  const random = lcg(42);
  const servers: Server[] = [];
  const environments: Record<string, { app_id: string; health_url: string }> = {};
  let timeouts = 0;
  let slowest = 0;
  for (let i = 0; i < apps; i++) {
    const hang = i % 20 === 7;
    const delay = 50 + Math.round(random() * 1950);
    if (hang) timeouts += 1;
    else slowest = Math.max(slowest, delay);
    const server = createServer((_req, res) => {
      if (hang) return;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok","database":"connected"}');
      }, delay);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    environments[`app${i}`] = {
      app_id: `app-${i}`,
      health_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    };
  }
  const doClient = {
    getApp: async (id: string) => ({
      id,
      name: id,
      spec: { name: id },
      activeDeployment: {
        id: `${id}-d1`,
        phase: 'ACTIVE' as const,
        cause: 'bench',
        createdAt: new Date(Date.now() - 3_600_000).toISOString(),
        updatedAt: new Date(Date.now() - 3_600_000).toISOString(),
        progress: { successSteps: 1, totalSteps: 1, errorSteps: 0, steps: [] },
        components: [],
      },
    }),
    getAppHealth: async () => [
      { name: 'web', state: 'HEALTHY' as const, replicasDesired: 1, replicasReady: 1 },
    ],
  } as unknown as DoClient;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  const runs: HealthBenchResult['runs'] = [];
  // A running bot has long since loaded fetch (undici loads lazily, ~100 ms on first use).
  await fetch(Object.values(environments)[0]!.health_url).then((r) => r.text());
  try {
    for (const concurrency of [200, 100, 20]) {
      const config = Config.parse({
        channels: { ops: 'C0123456789' },
        apps: { fleet: { environments } },
        health: { timeout_ms: timeoutMs, concurrency },
      });
      const health = createHealthService({
        config,
        do: doClient,
        redis,
        locks: {
          get: async () => null,
          list: async () => [],
          lock: async () => undefined,
          unlock: async () => null,
        },
        pingDatabase: async () => undefined,
        clock: systemClock,
      });
      const started = performance.now();
      const envs = await health.checkEnvs({ includeDo: true });
      const totalMs = Math.round(performance.now() - started);
      const bad = envs.filter((e) => e.state === 'bad').length;
      if (bad !== timeouts) throw new Error(`expected ${timeouts} unhealthy envs, got ${bad}`);
      const targetMs = Math.round(timeoutMs * 1.1);
      runs.push({ concurrency, totalMs, targetMs, withinTarget: totalMs <= targetMs });
    }
  } finally {
    redis.disconnect();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
  const result = { apps, timeoutMs, timeouts, slowestAnswerMs: slowest, runs };
  console.log(
    `health: ${apps} apps (answers 50 ms-2 s, ${timeouts} never answer), timeout ${timeoutMs} ms, target ${Math.round(timeoutMs * 1.1)} ms`,
  );
  for (const r of runs) {
    console.log(
      `  concurrency ${String(r.concurrency).padStart(3)}: ${r.totalMs} ms ${r.withinTarget ? 'within target' : 'OVER target'}`,
    );
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchHealth().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
