import { App } from '@slack/bolt';
import { systemClock } from '../src/clock.js';
import { createDedupe } from '../src/dedupe.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { connectRedis, createRedis } from '../src/redis.js';
import { DocksideReceiver } from '../src/slack/receiver.js';

/**
 * One process under test: `bot` is dockside itself, `bare` a Bolt app on the same
 * receiver (signature, replay check in Redis) whose listener only acks. Prints
 * `READY <port>` once it listens.
 */
const mode = process.argv[2];
const env = {
  SLACK_BOT_TOKEN: 'xoxb-bench-token-000000',
  SLACK_SIGNING_SECRET: process.env.BENCH_SIGNING_SECRET ?? '',
  SLACK_API_URL: process.env.BENCH_SLACK_API_URL ?? '',
  DIGITALOCEAN_TOKEN: 'dop_v1_bench',
  DIGITALOCEAN_API_URL: process.env.BENCH_DO_URL ?? '',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  DOCKSIDE_CONFIG: '(bench)',
  PORT: 0,
  LOG_LEVEL: 'warn' as const,
};
const log = createLogger({ level: 'warn' });
const prefix = `bench:${process.pid}:`;

if (mode === 'bot') {
  // Imported here so the bare app carries none of dockside's modules.
  const { createDockside } = await import('../src/app.js');
  const { sandboxConfig } = await import('../src/sandbox/config.js');
  const bot = createDockside({
    env,
    config: sandboxConfig(),
    log,
    port: 0,
    host: '127.0.0.1',
    redisKeyPrefix: prefix,
    schedules: false,
    slackRetries: 0,
    pollMs: 1000,
    updateIntervalMs: 1000,
  });
  await bot.start();
  process.stdout.write(`READY ${bot.port}\n`);
} else {
  const redis = createRedis(env.REDIS_URL, { keyPrefix: prefix });
  await connectRedis(redis, env.REDIS_URL);
  const dedupe = createDedupe(redis);
  const receiver = new DocksideReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET,
    port: 0,
    host: '127.0.0.1',
    log,
    metrics: createMetrics(),
    clock: systemClock,
    firstDelivery: (key) => dedupe.once(key, 600),
    health: async () => ({ status: 200, body: {} }),
  });
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    receiver,
    clientOptions: { slackApiUrl: env.SLACK_API_URL },
  });
  app.command(/.*/, async ({ ack }) => {
    await ack();
  });
  await app.start();
  process.stdout.write(`READY ${receiver.port}\n`);
}

// A normal exit on SIGINT lets `--cpu-prof` write its profile when profiling the bench.
process.on('SIGINT', () => process.exit(0));
