import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { parseConfig } from '../config/load.js';
import { deleteKeysUnder } from '../redis.js';
import { sandboxConfigText } from './config.js';
import { demoDatabasesYaml, prepareDemoDatabases } from './demo-data.js';
import { startDoSimulator } from './do-simulator.js';
import { type SandboxDroplets, startSandboxDroplets } from './droplet-env.js';
import { runRepl } from './repl.js';
import { startWorld } from './world.js';

/** The world's default Redis, named here because the release log is seeded on a connection of its own. */
const SANDBOX_REDIS_URL = 'redis://127.0.0.1:6379';

/** Health URLs for the demo apps, so deploys end with a real health check. */
async function startDemoHealth(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'ok', database: 'connected', redis: 'connected' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/**
 * `npm start` without Slack credentials: a simulated DigitalOcean, a fake Slack and
 * the real bot between them, driven from the terminal. Nothing real is touched.
 */
export async function runSandbox(io: {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}): Promise<void> {
  const logDir = '.sandbox';
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}/dockside.log`;
  const prefix = `sandbox:${randomBytes(4).toString('hex')}:`;
  // Independent of each other: started at once, so the Droplet hosts (and the release log
  // entry that names their tag, written on a connection of its own) add no start-up time.
  const [health, demo, sim, droplets] = await Promise.all([
    startDemoHealth(),
    prepareDemoDatabases(),
    startDoSimulator({ phaseDelayMs: 800 }),
    startSandboxDroplets().then(async (d) => {
      await logSeeded(d, prefix);
      return d;
    }),
  ]);
  sim.seedDemo();
  const configText =
    sandboxConfigText({
      healthBaseUrl: health.url,
      githubApiUrl: sim.githubUrl,
      extraApps: droplets.appYaml({ healthBaseUrl: health.url }),
      extraSections: droplets.registriesYaml(),
      verifyWindow: '20s',
    }) + demoDatabasesYaml(demo, `${logDir}/backups`);
  const world = await startWorld({
    // The SSH key and registry token reach the config as ${DROPLET_SSH_KEY} and ${GHCR_TOKEN},
    // as in a real deployment, so `config` in the session shows no secret.
    config: () => parseConfig(configText, { ...process.env, ...droplets.env }, 'sandbox dockside.yml'),
    sim,
    // A prefix per session: watchers and approvals of an earlier session point at a
    // simulator that is gone. Cleared when the session ends.
    redisUrl: SANDBOX_REDIS_URL,
    redisKeyPrefix: prefix,
    logSink: (line) => appendFileSync(logFile, line),
    bot: {
      pollMs: 1000,
      updateIntervalMs: 1000,
      dropletHealthPollMs: 200,
      outOfBand: { tickMs: 3000, pollMs: 1000 },
    },
  });
  io.output.write(
    [
      'dockside sandbox: no Slack credentials were found, so this is a local session.',
      `A simulated DigitalOcean API runs at ${sim.url}, a fake Slack at ${world.slack.url},`,
      `and the bot at http://127.0.0.1:${world.bot.port} (logs: ${logFile}). Redis keys start with "${prefix}".`,
      `The Droplet app api runs on ${droplets.hosts.hosts.length} simulated hosts (SSH on ${droplets.hosts.hosts.map((h) => h.address).join(', ')}) with images from a fake ghcr.io: try /health api.`,
      demo.postgresUrl || demo.mysqlUrl
        ? `Demo databases (database "dockside_sandbox"): ${[demo.postgresUrl ? 'main (PostgreSQL)' : '', demo.mysqlUrl ? 'erp (MySQL)' : ''].filter(Boolean).join(', ')}.`
        : '',
      ...demo.notes,
      'To run the real bot, set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) and DIGITALOCEAN_TOKEN.',
      '',
    ].join('\n'),
  );
  try {
    await runRepl(world, io, { configText, droplets });
  } finally {
    await clearKeys(world.bot.redis, prefix).catch(() => undefined);
    await world.close();
    await sim.close();
    await droplets.close();
    health.close();
  }
}

/** The hosts' first release in the release log, under this session's prefix (the bot's Redis). */
async function logSeeded(droplets: SandboxDroplets, prefix: string): Promise<void> {
  const redis = new Redis(SANDBOX_REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
  redis.on('error', () => {
    // the bot's own connection reports an unreachable Redis at start-up, with what to do
  });
  try {
    await droplets.logSeededRelease(redis);
  } catch {
    // without it /health shows the digests without their tag; nothing else depends on it
  } finally {
    redis.disconnect();
  }
}

/** Deletes this session's keys, on a connection without the key prefix. */
async function clearKeys(redis: Redis, prefix: string): Promise<void> {
  const plain = redis.duplicate({ keyPrefix: '', enableOfflineQueue: true });
  try {
    await deleteKeysUnder(plain, prefix);
  } finally {
    plain.disconnect();
  }
}
