/**
 * A dockside bot in a process of its own, for tests that SIGKILL or SIGTERM it. Started
 * by spawnBotProcess() with its settings in FAULT_BOT (JSON); prints `READY <port>`.
 */
import { createDockside } from '../../../src/app.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/logger.js';
import { installProcessHandlers } from '../../../src/process-handlers.js';
import { sandboxConfig } from '../../../src/sandbox/config.js';

interface Settings {
  signingSecret: string;
  botToken: string;
  doToken: string;
  slackApiUrl: string;
  doApiUrl: string;
  githubApiUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  replicaId: string;
  /** A parsed config (JSON) instead of the sandbox's: Droplet envs with their hosts. */
  config?: Config;
}

const settings = JSON.parse(process.env.FAULT_BOT ?? '{}') as Settings;
const log = createLogger({ level: 'info' });
const bot = createDockside({
  env: {
    SLACK_BOT_TOKEN: settings.botToken,
    SLACK_SIGNING_SECRET: settings.signingSecret,
    SLACK_API_URL: settings.slackApiUrl,
    DIGITALOCEAN_TOKEN: settings.doToken,
    DIGITALOCEAN_API_URL: settings.doApiUrl,
    REDIS_URL: settings.redisUrl,
    DOCKSIDE_CONFIG: '(fault test)',
    PORT: 0,
    LOG_LEVEL: 'info',
  },
  config: settings.config ?? sandboxConfig({ githubApiUrl: settings.githubApiUrl }),
  dropletHealthPollMs: 100,
  log,
  port: 0,
  host: '127.0.0.1',
  pollMs: 25,
  updateIntervalMs: 50,
  slackRetries: 0,
  doRetry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
  redisKeyPrefix: settings.redisKeyPrefix,
  replicaId: settings.replicaId,
  schedules: false,
});
installProcessHandlers({ log, stop: () => bot.stop() });
await bot.start();
process.stdout.write(`READY ${bot.port}\n`);
if (process.env.FAULT_INJECT_REJECTION) {
  // A background task that forgot its catch: the process-level handler must log it and go on.
  setTimeout(() => void Promise.reject(new Error('injected background failure')), 10);
  setTimeout(() => {
    throw new Error('injected uncaught exception');
  }, 20);
}
