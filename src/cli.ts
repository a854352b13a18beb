#!/usr/bin/env node
import { runAuditExport } from './audit/export-cli.js';
import { createRedisAuditLog } from './audit/redis-audit-log.js';
import { systemClock } from './clock.js';
import { CONFIG_CHECK_USAGE, runConfigCheck } from './config/check-cli.js';
import { runDbGrants } from './db/grants-cli.js';
import { parseEnv } from './env.js';
import { plainErrorText } from './errors.js';
import { connectRedis, createRedis } from './redis.js';

const USAGE = `Usage:
  dockside                      start the bot (or the local sandbox without Slack credentials)
  dockside audit export [--since 2026-01-31T00:00:00Z] [--app <app>]
                                print the audit log as JSON lines, oldest first (uses REDIS_URL)
  ${CONFIG_CHECK_USAGE}
  dockside db grants <db> [--role <user>] [--owner <role>] [--backup-role <user>] [--host <host>]
                                print SQL that lets /query's user read every column except
                                mask_columns (reads DOCKSIDE_CONFIG, default ./dockside.yml)`;

/** `dockside audit export`, `dockside config check`, `dockside db grants`; no arguments start the bot. */
async function cli(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined) {
    await import('./main.js');
    return -1; // main keeps running
  }
  if (first === 'config' && second === 'check') {
    return runConfigCheck(rest, { out: process.stdout, err: process.stderr, env: process.env });
  }
  if (first === 'audit' && second === 'export') {
    const env = parseEnv(process.env);
    const redis = createRedis(env.REDIS_URL, env.REDIS_KEY_PREFIX ? { keyPrefix: env.REDIS_KEY_PREFIX } : {});
    await connectRedis(redis, env.REDIS_URL);
    try {
      const audit = createRedisAuditLog({ redis, clock: systemClock, retentionDays: 36500 });
      return await runAuditExport(rest, { audit, out: process.stdout, err: process.stderr });
    } finally {
      redis.disconnect();
    }
  }
  if (first === 'db' && second === 'grants') {
    return runDbGrants(rest, { env: process.env, out: process.stdout, err: process.stderr });
  }
  process.stderr.write(
    `${first === 'help' || first === '--help' ? '' : `Unknown command "${argv.join(' ')}".\n`}${USAGE}\n`,
  );
  return first === 'help' || first === '--help' ? 0 : 2;
}

cli(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message = plainErrorText(err);
    process.stderr.write(`dockside: ${message}\n`);
    process.exit(1);
  },
);
