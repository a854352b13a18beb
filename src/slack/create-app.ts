import { App } from '@slack/bolt';
import { systemClock } from '../clock.js';
import { type Env, slackMode } from '../env.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { boltLogger } from './bolt-logger.js';
import { DocksideReceiver, type HealthReport } from './receiver.js';

/**
 * The Bolt app: Socket Mode when SLACK_MODE says so (default: when SLACK_APP_TOKEN is set), else HTTP mode on our own
 * receiver. Both modes get the receiver's HTTP server for /health and /metrics.
 */
export function createSlackApp(options: {
  env: Env & { SLACK_BOT_TOKEN: string };
  log: Logger;
  metrics: Metrics;
  port: number;
  host?: string;
  /** Web API retries (0 in tests: a failing call must not wait for minutes). */
  retries: number;
  firstDelivery: (key: string) => Promise<boolean>;
  health: () => Promise<HealthReport>;
}): { app: App; receiver: DocksideReceiver; socketMode: boolean } {
  const { env, log } = options;
  const socketMode = slackMode(env) === 'socket';
  const receiver = new DocksideReceiver({
    ...(socketMode ? {} : { signingSecret: env.SLACK_SIGNING_SECRET ?? '' }),
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    log,
    metrics: options.metrics,
    // Signatures are checked against wall-clock time, whatever clock the domain uses.
    clock: systemClock,
    firstDelivery: options.firstDelivery,
    health: options.health,
  });
  const common = {
    token: env.SLACK_BOT_TOKEN,
    logger: boltLogger(log),
    clientOptions: {
      ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
      retryConfig: { retries: options.retries, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    },
    deferInitialization: true,
    // Bolt's conversation store runs on every request; dockside keeps its state in Redis.
    convoStore: false as const,
  };
  const app = socketMode
    ? new App({ ...common, appToken: env.SLACK_APP_TOKEN, socketMode: true })
    : new App({ ...common, receiver });
  return { app, receiver, socketMode };
}
