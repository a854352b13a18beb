import { readFileSync } from 'node:fs';
import { createDockside } from './app.js';
import { ConfigError, parseConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { type BotEnv, type Env, hasSlackCredentials, parseEnv, requireBotEnv } from './env.js';
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
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DIGITALOCEAN_TOKEN']) {
    registerSecret(process.env[name]);
  }
  const production = process.env.NODE_ENV === 'production';
  // Every problem (environment and config file) is collected before giving up.
  const problems: string[] = [];
  let env: Env | undefined;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (env && !hasSlackCredentials(env) && !production) {
    const { runSandbox } = await import('./sandbox/run.js');
    await runSandbox({ input: process.stdin, output: process.stdout });
    process.exit(0);
  }
  let botEnv: BotEnv | undefined;
  if (env) registerConnectionString(env.REDIS_URL);
  try {
    // On the raw environment when it did not parse, so missing settings are named too.
    botEnv = requireBotEnv(env ?? (process.env as unknown as Env));
  } catch (err) {
    problems.push((err as Error).message);
  }
  let config: Config | undefined;
  try {
    config = loadConfigFile(
      env?.DOCKSIDE_CONFIG ?? process.env.DOCKSIDE_CONFIG ?? './dockside.yml',
      process.env,
    );
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!env || !botEnv || !config) {
    process.stderr.write(
      `dockside cannot start:\n${problems.join('\n')}\nFix the settings above and start again.\n`,
    );
    process.exit(1);
  }
  for (const db of Object.values(config.databases)) registerConnectionString(db.url);

  const log = createLogger({ level: botEnv.LOG_LEVEL });
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
