import { readFileSync } from 'node:fs';
import { createDockside } from './app.js';
import { ConfigError, parseConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { hasSlackCredentials, parseEnv, requireBotEnv } from './env.js';
import { isDocksideError } from './errors.js';
import { createLogger } from './logger.js';
import { registerConnectionString, registerSecret } from './secrets.js';

function loadConfigFile(path: string, env: NodeJS.ProcessEnv): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(path, [
      {
        path: '',
        message: 'cannot be read; set DOCKSIDE_CONFIG or copy dockside.example.yml to dockside.yml',
      },
    ]);
  }
  return parseConfig(text, env, path);
}

/** Start-up: the bot with credentials, the sandbox without (outside production). */
async function main(): Promise<void> {
  const env = parseEnv(process.env);
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DIGITALOCEAN_TOKEN']) {
    registerSecret(process.env[name]);
  }
  registerConnectionString(env.REDIS_URL);

  if (!hasSlackCredentials(env) && env.NODE_ENV !== 'production') {
    const { runSandbox } = await import('./sandbox/run.js');
    await runSandbox({ input: process.stdin, output: process.stdout });
    process.exit(0);
  }

  // Production: collect every problem (environment and config file) before giving up.
  const problems: string[] = [];
  let botEnv: ReturnType<typeof requireBotEnv> | undefined;
  let config: Config | undefined;
  try {
    botEnv = requireBotEnv(env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    config = loadConfigFile(env.DOCKSIDE_CONFIG, process.env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!botEnv || !config) {
    process.stderr.write(`dockside cannot start:\n${problems.join('\n')}\n`);
    process.exit(1);
  }
  for (const db of Object.values(config.databases)) registerConnectionString(db.url);

  const log = createLogger({ level: env.LOG_LEVEL });
  const dockside = createDockside({ env: botEnv, config, log });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await dockside.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await dockside.start();
}

main().catch((err: unknown) => {
  const message = isDocksideError(err) ? [err.message, err.hint].filter(Boolean).join(' ') : String(err);
  process.stderr.write(`dockside cannot start: ${message}\n`);
  process.exit(1);
});
