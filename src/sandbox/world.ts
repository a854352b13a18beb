import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createDockside, type Dockside, type DocksideOptions } from '../app.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../logger.js';
import { SANDBOX_USERGROUPS } from './config.js';
import { type DoSimulator, startDoSimulator } from './do-simulator.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { createSlackDriver, type SlackDriver } from './slack-driver.js';

/**
 * A whole dockside world on this machine: the fake Slack, the DigitalOcean simulator
 * and a bot in HTTP mode between them, plus a driver that talks to the bot as Slack
 * does. The sandbox and the end-to-end tests both run in one.
 */
export interface World {
  slack: FakeSlack;
  sim: DoSimulator;
  bot: Dockside;
  driver: SlackDriver;
  secrets: { signingSecret: string; botToken: string };
  /** Prefix of every Redis key of this world. */
  redisKeyPrefix: string;
  /** Every log line the bot wrote (JSON), for tests that grep for secrets. */
  logs: string[];
  log: Logger;
  /** Another bot (replica) sharing this world's Redis keys, fake Slack and simulator. */
  spawnBot(overrides?: Partial<DocksideOptions>): Promise<{ bot: Dockside; driver: SlackDriver }>;
  close(): Promise<void>;
}

export interface WorldOptions {
  config: (sim: DoSimulator) => Config;
  phaseDelayMs?: number;
  redisUrl?: string;
  redisKeyPrefix?: string;
  logLevel?: string;
  /** Also print logs here (the sandbox writes them to a file). */
  logSink?: (line: string) => void;
  bot?: Partial<DocksideOptions>;
  sim?: DoSimulator;
  /** Where the bots reach Slack and DigitalOcean, when not directly (fault tests put proxies in between). */
  slackApiUrl?: (slack: FakeSlack) => string;
  doApiUrl?: (sim: DoSimulator) => string;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const secrets = {
    signingSecret: `sandbox-signing-${randomBytes(8).toString('hex')}`,
    botToken: `xoxb-sandbox-${randomBytes(8).toString('hex')}`,
  };
  const slack = await startFakeSlack({ usergroups: SANDBOX_USERGROUPS, botToken: secrets.botToken });
  const sim = options.sim ?? (await startDoSimulator({ phaseDelayMs: options.phaseDelayMs ?? 20 }));
  if (!options.sim) sim.seedDemo();
  const logs: string[] = [];
  const log = createLogger({
    level: options.logLevel ?? 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        const line = chunk.toString('utf8');
        logs.push(line);
        options.logSink?.(line);
        done();
      },
    }),
  });
  const prefix = options.redisKeyPrefix ?? `world:${randomBytes(4).toString('hex')}:`;
  const config = options.config(sim);
  const makeBot = (overrides: Partial<DocksideOptions> = {}) =>
    createDockside({
      env: {
        SLACK_BOT_TOKEN: secrets.botToken,
        SLACK_SIGNING_SECRET: secrets.signingSecret,
        SLACK_API_URL: options.slackApiUrl?.(slack) ?? slack.apiUrl,
        DIGITALOCEAN_TOKEN: sim.token,
        DIGITALOCEAN_API_URL: options.doApiUrl?.(sim) ?? sim.url,
        REDIS_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
        DOCKSIDE_CONFIG: '(world)',
        PORT: 0,
        LOG_LEVEL: 'info',
      },
      config,
      log,
      port: 0,
      host: '127.0.0.1',
      pollMs: 25,
      updateIntervalMs: 50,
      slackRetries: 0,
      doRetry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
      redisKeyPrefix: prefix,
      schedules: false,
      auditAnchors: false,
      // The out-of-band watcher only where a world asks for it (its own tests, the sandbox).
      outOfBand: false,
      ...options.bot,
      ...overrides,
    });
  const driverFor = (bot: Dockside) =>
    createSlackDriver({
      botUrl: `http://127.0.0.1:${bot.port}`,
      signingSecret: secrets.signingSecret,
      slack,
    });
  const extra: Dockside[] = [];
  const bot = makeBot();
  await bot.start();
  const driver = driverFor(bot);
  return {
    slack,
    sim,
    bot,
    driver,
    secrets,
    redisKeyPrefix: prefix,
    logs,
    log,
    async spawnBot(overrides = {}) {
      const another = makeBot(overrides);
      await another.start();
      extra.push(another);
      return { bot: another, driver: driverFor(another) };
    },
    async close() {
      for (const b of extra) await b.stop();
      await bot.stop();
      await slack.close();
      if (!options.sim) await sim.close();
    },
  };
}
