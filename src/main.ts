import { createDockside } from './app.js';
import { checkStartup, formatSections } from './config/startup.js';
import { hasSlackCredentials, parseEnv } from './env.js';
import { plainErrorText } from './errors.js';
import { createLogger } from './logger.js';
import { installProcessHandlers } from './process-handlers.js';
import { registerConnectionString, registerSecret } from './secrets.js';

/** Start-up: the bot with credentials, the sandbox without (outside production). */
async function main(): Promise<void> {
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DIGITALOCEAN_TOKEN']) {
    registerSecret(process.env[name]);
  }
  const production = process.env.NODE_ENV === 'production';
  if (!production) {
    let sandbox = false;
    try {
      sandbox = !hasSlackCredentials(parseEnv(process.env));
    } catch {
      // a broken environment is reported with everything else below
    }
    if (sandbox) {
      const { runSandbox } = await import('./sandbox/run.js');
      await runSandbox({ input: process.stdin, output: process.stdout });
      process.exit(0);
    }
  }
  // Every problem (environment and config) is collected before giving up: the same
  // report as `dockside config check`.
  const check = checkStartup(process.env);
  if (!check.env || !check.config || check.sections.length > 0) {
    process.stderr.write(
      `dockside cannot start:\n${formatSections(check.sections)}\nFix the settings above and start again (\`dockside config check\` prints this report too).\n`,
    );
    process.exit(1);
  }
  const { env, config } = check;
  registerConnectionString(env.REDIS_URL);
  for (const db of Object.values(config.databases)) {
    registerConnectionString(db.url);
    registerConnectionString(db.backup_url);
  }

  const log = createLogger({ level: env.LOG_LEVEL });
  log.info({ config: check.configSource }, 'config loaded');
  const dockside = createDockside({ env, config, log });
  installProcessHandlers({ log, stop: () => dockside.stop() });
  await dockside.start();
}

main().catch((err: unknown) => {
  const message = plainErrorText(err);
  process.stderr.write(`dockside cannot start: ${message}\n`);
  process.exit(1);
});
