import type { BotEnv } from '../../env.js';
import { slackMode } from '../../env.js';
import { createLogger } from '../../logger.js';
import type { Config } from '../schema.js';
import { checkDatabases } from './databases.js';
import { checkDigitalOcean } from './digitalocean.js';
import { checkRedis } from './redis.js';
import { checkSlack } from './slack.js';
import { type Finding, MARK } from './types.js';

export type { Finding } from './types.js';

/** `config check --connect`: everything dockside talks to, tried once, in order. */
export async function runConnectChecks(input: { env: BotEnv; config: Config }): Promise<Finding[]> {
  const { env, config } = input;
  const log = createLogger({ level: 'silent' });
  const findings: Finding[] = [];
  findings.push(await checkRedis(env.REDIS_URL, env.REDIS_KEY_PREFIX ?? ''));
  findings.push(...(await checkDigitalOcean(config, env.DIGITALOCEAN_TOKEN, env.DIGITALOCEAN_API_URL)));
  findings.push(...(await checkDatabases(config, log)));
  findings.push(...(await checkSlack(config, env, slackMode(env))));
  if (config.backups.destination.type === 'local' && env.NODE_ENV === 'production') {
    findings.push({
      what: 'backups',
      level: 'warn',
      detail: `dumps go to ${config.backups.destination.path} on dockside's own disk, which App Platform discards at every redeploy`,
      hint: 'Use backups.destination type s3 (DigitalOcean Spaces) with SPACES_KEY and SPACES_SECRET',
    });
  }
  return findings;
}

export function formatFindings(findings: Finding[]): string {
  const lines = findings.map(
    (f) => `  ${MARK[f.level]} ${f.what}: ${f.detail}${f.hint ? `\n         -> ${f.hint}` : ''}`,
  );
  const failed = findings.filter((f) => f.level === 'fail').length;
  const warned = findings.filter((f) => f.level === 'warn').length;
  return [
    ...lines,
    failed + warned === 0
      ? 'Everything dockside talks to answered as it should.'
      : `${failed} problem${failed === 1 ? '' : 's'}, ${warned} warning${warned === 1 ? '' : 's'}.`,
  ].join('\n');
}
