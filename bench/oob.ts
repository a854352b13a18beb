import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Config } from '../src/config/schema.js';
import { createDoClient } from '../src/do/client.js';
import { deleteKeysUnder } from '../src/redis.js';
import { SANDBOX_CHANNELS } from '../src/sandbox/config.js';
import { type SimRequest, startDoSimulator } from '../src/sandbox/do-simulator.js';
import { startWorld } from '../src/sandbox/world.js';

/** Deterministic pseudo-random numbers, so every run simulates the same hour. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** DigitalOcean's budget per token and hour, shared with everything else dockside does. */
const BUDGET_PER_HOUR = 5000;
const TARGET_SHARE = 0.2;

export interface OobBenchResult {
  envs: number;
  assumptions: Record<string, number | string>;
  perHour: { watcher: number; list: number; deploymentLists: number; following: number; other: number };
  naivePerHour: number;
  share: number;
  withinTarget: boolean;
  announced: { expected: number; posted: number };
}

/**
 * What the out-of-band watcher costs for 50 App Platform envs, counted as real requests
 * against the simulator, with time shortened `scale` times: the 30 s tick, the 15 s poll
 * of a followed deployment (60 s when only a failure is posted) and a 4-minute deployment
 * all run `scale` times faster; half the envs are production (announce all), half staging
 * (failures). For
 * `minutes` simulated minutes of a busy hour (three times the day's average rate of
 * `perEnvPerDay` out-of-band deployments per env; one in five fails). Three replicas run,
 * as in production. The baseline, measured in the same run for the same period, polls each
 * env on its own (`GET /v2/apps/{id}` per env and tick), before any following.
 */
export async function benchOob(
  options: { envs?: number; perEnvPerDay?: number; scale?: number; minutes?: number } = {},
): Promise<OobBenchResult> {
  const envs = options.envs ?? 50;
  const perEnvPerDay = options.perEnvPerDay ?? 10;
  const scale = options.scale ?? 100;
  const minutes = options.minutes ?? 30;
  const busyFactor = 3;
  const tickMs = 30_000 / scale;
  const pollMs = 15_000 / scale;
  const quietPollMs = 60_000 / scale;
  const deploymentMs = 4 * 60_000;
  const windowMs = (minutes * 60_000) / scale;
  const deployments = Math.round(((envs * perEnvPerDay * busyFactor) / 24) * (minutes / 60));

  // Five phase steps of a deployment take deploymentMs together.
  const sim = await startDoSimulator({ phaseDelayMs: deploymentMs / 4 / scale });
  const environments: Record<string, Record<string, { app_id: string }>> = {};
  const appIds: string[] = [];
  for (let i = 0; i < envs; i++) {
    const env = i % 2 === 0 ? 'staging' : 'production';
    const app = `fleet${Math.floor(i / 2)}`;
    const id = sim.addApp({
      name: `${app}-${env}`,
      services: [{ name: 'web', github: { repo: `acme/${app}`, branch: env, deploy_on_push: true } }],
    });
    appIds.push(id);
    environments[app] = { ...environments[app], [env]: { app_id: id } };
  }
  const config = Config.parse({
    channels: { ops: SANDBOX_CHANNELS.ops },
    apps: Object.fromEntries(Object.entries(environments).map(([app, e]) => [app, { environments: e }])),
  });
  const prefix = `bench:oob:${randomBytes(4).toString('hex')}:`;
  const world = await startWorld({
    config: () => config,
    sim,
    redisKeyPrefix: prefix,
    logLevel: 'warn',
    bot: { outOfBand: { tickMs, pollMs, quietPollMs }, pollMs, updateIntervalMs: 50 },
  });
  await world.spawnBot();
  await world.spawnBot();
  // The baseline polls a simulator of its own with the same apps, so the counts never mix.
  const naiveSim = await startDoSimulator({ phaseDelayMs: deploymentMs / 4 / scale });
  const naiveIds = Array.from({ length: envs }, (_, i) =>
    naiveSim.addApp({ name: `naive-${i}`, services: [{ name: 'web' }] }),
  );
  const naive = createDoClient({ token: naiveSim.token, endpoint: naiveSim.url });
  let failures = 0;
  let productionGood = 0;
  try {
    sim.clearRequests();
    const started = Date.now();
    const random = lcg(7);
    const startTimes = Array.from({ length: deployments }, () => random() * windowMs).sort((a, b) => a - b);
    const naiveLoop = (async () => {
      while (Date.now() - started < windowMs) {
        const tick = Date.now();
        await Promise.all(naiveIds.map((id) => naive.getApp(id)));
        await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - tick))));
      }
    })();
    for (const [n, at] of startTimes.entries()) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - (Date.now() - started))));
      const i = Math.floor(random() * envs);
      const fail = n % 5 === 4;
      if (fail) failures += 1;
      else if (i % 2 === 1) productionGood += 1;
      try {
        sim.startOutOfBand(appIds[i] ?? '', {
          via: 'push',
          author: 'Bench',
          ...(fail ? { fail: true } : {}),
        });
      } catch {
        // the app was pinned (never here) or the sim refused: not counted as started
      }
    }
    await naiveLoop;
    const windowEnd = started + windowMs;
    // Let every followed deployment end and its message be delivered.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await world.bot.follower.resume()) + world.bot.follower.following > 0)
      await new Promise((r) => setTimeout(r, 200));
    const ours = sim.requests();
    const inWindow = (r: SimRequest) => Date.parse(r.at) <= windowEnd;
    const list = ours.filter((r) => r.route === '/v2/apps' && inWindow(r)).length;
    const deploymentLists = ours.filter(
      (r) => r.route === '/v2/apps/:id/deployments' && r.method === 'GET',
    ).length;
    const following = ours.filter((r) => r.route === '/v2/apps/:id/deployments/:deploymentId').length;
    const other = ours.filter(
      (r) =>
        r.route !== '/v2/apps' &&
        !(r.route === '/v2/apps/:id/deployments' && r.method === 'GET') &&
        r.route !== '/v2/apps/:id/deployments/:deploymentId',
    ).length;
    const perHourOf = (n: number) => Math.round((n * 60) / minutes);
    const perHour = {
      list: perHourOf(list),
      deploymentLists: perHourOf(deploymentLists),
      following: perHourOf(following),
      other: perHourOf(other),
      watcher: perHourOf(list + deploymentLists + following + other),
    };
    // Channel lines only: each one's details are replies in its thread.
    const posted = world.slack.messages.filter(
      (m) => m.text.startsWith('Deployment outside dockside of') && !m.thread_ts,
    ).length;
    const share = perHour.watcher / BUDGET_PER_HOUR;
    const result: OobBenchResult = {
      envs,
      assumptions: {
        outOfBandPerEnvPerDay: perEnvPerDay,
        busyHourFactor: busyFactor,
        deploymentsInWindow: deployments,
        failing: '1 in 5',
        deploymentMinutes: deploymentMs / 60_000,
        tickSeconds: 30,
        followPollSeconds: '15 (announce all), 60 (failures)',
        simulatedMinutes: minutes,
        timeScale: scale,
        replicas: 3,
      },
      perHour,
      naivePerHour: perHourOf(naiveSim.requests({ method: 'GET', route: '/v2/apps/:id' }).length),
      share,
      withinTarget: share < TARGET_SHARE,
      announced: { expected: failures + productionGood, posted },
    };
    console.log(
      `oob: ${envs} envs, ${deployments} out-of-band deployments in ${minutes} simulated min ` +
        `(${perEnvPerDay}/env/day x${busyFactor} busy hour, 1 in 5 failing, ${deploymentMs / 60_000} min each), ` +
        `tick 30 s, follow poll 15 s (all) / 60 s (failures), 3 replicas, time x${scale}`,
    );
    console.log(
      `  watcher: ${perHour.watcher} requests/hour = ${(share * 100).toFixed(1)}% of ${BUDGET_PER_HOUR} ` +
        `(list ${perHour.list}, deployment lists ${perHour.deploymentLists}, following ${perHour.following}, logs and other ${perHour.other}) ` +
        `${result.withinTarget ? 'PASS' : 'FAIL'} (target < ${TARGET_SHARE * 100}%)`,
    );
    console.log(
      `  with no out-of-band deployment it is the list alone: ${perHour.list} requests/hour = ${((perHour.list / BUDGET_PER_HOUR) * 100).toFixed(1)}%`,
    );
    console.log(
      `  baseline, one GET /v2/apps/{id} per env and tick: ${result.naivePerHour} requests/hour = ${((result.naivePerHour / BUDGET_PER_HOUR) * 100).toFixed(0)}% before any following`,
    );
    console.log(
      `  announced: ${posted} messages, expected ${result.announced.expected} (production: all; staging: failures)`,
    );
    return result;
  } finally {
    await world.close();
    await sim.close();
    await naiveSim.close();
    const plain = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await deleteKeysUnder(plain, prefix).finally(() => plain.disconnect());
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchOob().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
