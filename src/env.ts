import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config/problems.js';
import { SECRET_ENV } from './secrets.js';

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
  /** How Slack reaches dockside; default: socket when SLACK_APP_TOKEN is set, else http. */
  SLACK_MODE: z.enum(['http', 'socket'], { error: 'must be http or socket' }).optional(),
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
  /** The config file's whole text; wins over DOCKSIDE_CONFIG (App Platform has no files). */
  DOCKSIDE_CONFIG_YAML: z.string().optional(),
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

/** The mode Slack uses to reach dockside: as declared, else Socket Mode when an app token is set. */
export function slackMode(env: Pick<Env, 'SLACK_MODE' | 'SLACK_APP_TOKEN'>): 'http' | 'socket' {
  return env.SLACK_MODE ?? (env.SLACK_APP_TOKEN ? 'socket' : 'http');
}

/** Values that templates ship (`xoxb-change-me`, `<your token>`), never real secrets. */
export function looksLikePlaceholder(value: string): boolean {
  return /change[-_ ]?me|replace[-_ ]?me|placeholder|^<[^<>\n]+>$|^(x{3,}|\.\.\.|todo|tbd|secret|password)$/i.test(
    value.trim(),
  );
}

/**
 * Every setting the bot cannot run without, reported at once. `variables` are the
 * further environment variables the config file uses (database URLs and the like);
 * in production, any of them holding a template value is refused too.
 */
export function requireBotEnv(
  env: Env,
  raw: Record<string, string | undefined> = env as unknown as Record<string, string | undefined>,
  variables: readonly string[] = [],
): BotEnv {
  const problems: ConfigProblem[] = [];
  if (!env.SLACK_BOT_TOKEN) {
    problems.push({
      path: 'SLACK_BOT_TOKEN',
      message: 'is not set',
      hint: "Use the Bot User OAuth Token (xoxb-...) from the Slack app's OAuth & Permissions page",
    });
  }
  const mode = slackMode(env);
  if (mode === 'http' && !env.SLACK_SIGNING_SECRET) {
    problems.push({
      path: 'SLACK_SIGNING_SECRET',
      message: `is not set, and HTTP mode${env.SLACK_MODE ? ' (SLACK_MODE=http)' : ''} needs it to check that requests come from Slack`,
      hint: "Copy the Signing Secret from the Slack app's Basic Information page; or, for Socket Mode, set SLACK_MODE=socket and SLACK_APP_TOKEN",
    });
  }
  if (mode === 'socket' && !env.SLACK_APP_TOKEN) {
    problems.push({
      path: 'SLACK_APP_TOKEN',
      message: 'is not set, and Socket Mode (SLACK_MODE=socket) needs it',
      hint: 'Create an App-Level Token with connections:write under Basic Information (xapp-...)',
    });
  }
  if (env.NODE_ENV === 'production' && env.SLACK_MODE === 'http' && env.SLACK_APP_TOKEN) {
    problems.push({
      path: 'SLACK_APP_TOKEN',
      message: 'is set, but SLACK_MODE is http',
      hint: 'Remove SLACK_APP_TOKEN, or set SLACK_MODE=socket and enable Socket Mode in the Slack app: the two must agree',
    });
  }
  if (!env.DIGITALOCEAN_TOKEN) {
    problems.push({
      path: 'DIGITALOCEAN_TOKEN',
      message: 'is not set',
      hint: 'Create a token under API -> Tokens in the DigitalOcean control panel (see the README for its scopes)',
    });
  }
  if (env.NODE_ENV === 'production') {
    for (const name of [...SECRET_ENV, ...variables]) {
      const value = raw[name];
      if (value && looksLikePlaceholder(value)) {
        problems.push({
          path: name,
          message: 'still holds a template value (such as "change-me")',
          hint: `Set the real value in the app's settings`,
        });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError('The environment', problems);
  return env as BotEnv;
}
