import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config/load.js';

/** Secrets and process settings from the environment (DESIGN.md "Runtime contract"). */
export const Env = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token starting with xoxb-')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'looks too short for a signing secret').optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
    .optional(),
  SLACK_API_URL: z.url().optional(),
  DIGITALOCEAN_TOKEN: z.string().min(1).optional(),
  DIGITALOCEAN_API_URL: z.url().optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** Optional: lets several dockside installs share one Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only')
    .optional(),
  DOCKSIDE_CONFIG: z.string().default('./dockside.yml'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
});
export type Env = z.infer<typeof Env>;

/** Bot settings: what the bot needs to talk to Slack and DigitalOcean. */
export interface BotEnv extends Env {
  SLACK_BOT_TOKEN: string;
  DIGITALOCEAN_TOKEN: string;
}

export function parseEnv(raw: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const result = Env.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    'The environment',
    result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

export function hasSlackCredentials(env: Env): boolean {
  return Boolean(env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN));
}

/** Every setting the bot cannot run without, reported at once. */
export function requireBotEnv(env: Env): BotEnv {
  const problems: ConfigProblem[] = [];
  if (!env.SLACK_BOT_TOKEN)
    problems.push({ path: 'SLACK_BOT_TOKEN', message: 'is not set (xoxb- bot token)' });
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    problems.push({
      path: 'SLACK_SIGNING_SECRET',
      message: 'is not set: set it for HTTP mode, or SLACK_APP_TOKEN (xapp-) for Socket Mode',
    });
  }
  if (!env.DIGITALOCEAN_TOKEN) problems.push({ path: 'DIGITALOCEAN_TOKEN', message: 'is not set' });
  if (problems.length > 0) throw new ConfigError('The environment', problems);
  return env as BotEnv;
}
