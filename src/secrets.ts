import type { Config } from './config/schema.js';

/**
 * Scrubbing of secrets from any text that leaves the process (logs, Slack, audit).
 * Two layers: known secret values registered where the bot is built (tokens, keys,
 * connection strings and their passwords) are replaced wherever they appear, and shapes
 * that are always secret (Slack, DigitalOcean and GitHub tokens, credentials inside URLs,
 * bearer headers) are replaced by pattern, so a token dockside was never told about
 * (a user's pasted `xoxp-`, a refresh token in an error) is caught too.
 */
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

/**
 * Registers a connection string's password, and the whole string when it carries
 * credentials or options (`?password=`, `?sslkey=`); a bare `redis://host:6379` is no secret.
 */
export function registerConnectionString(url: string | undefined): void {
  if (!url) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    registerSecret(url); // not a URL: the whole value is the secret
    return;
  }
  if (parsed.password || parsed.search) registerSecret(url);
  if (parsed.password) {
    registerSecret(parsed.password);
    registerSecret(decodeURIComponent(parsed.password));
  }
}

/**
 * The environment variables that hold secrets (DESIGN.md "Runtime contract", README):
 * their values are redacted wherever they appear, and a template value in any of them
 * stops a production start.
 */
export const SECRET_ENV = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DIGITALOCEAN_TOKEN',
  'SPACES_KEY',
  'SPACES_SECRET',
  'GITHUB_TOKEN',
  'GHCR_TOKEN',
  'DROPLET_SSH_KEY',
  'DOCKSIDE_CONFIG_YAML',
] as const;
const URL_ENV = ['REDIS_URL'] as const;

/**
 * Registers every secret the bot is configured with: the environment's tokens and keys,
 * Redis' URL, each database URL (and its password), the GitHub token, the Spaces keys.
 * Called by the composition root, so every way of building the bot redacts the same.
 */
export function registerConfiguredSecrets(
  env: Partial<Record<string, string | number | undefined>>,
  config: Pick<Config, 'databases' | 'github' | 'backups'>,
): void {
  for (const name of SECRET_ENV) {
    const value = env[name];
    if (typeof value === 'string') registerSecret(value);
  }
  for (const name of URL_ENV) {
    const value = env[name];
    if (typeof value === 'string') registerConnectionString(value);
  }
  for (const db of Object.values(config.databases)) {
    registerConnectionString(db.url);
    registerConnectionString(db.backup_url);
  }
  registerSecret(config.github?.token);
  const destination = config.backups.destination;
  if (destination.type === 's3') {
    registerSecret(destination.access_key_id);
    registerSecret(destination.secret_access_key);
  }
}

const PATTERNS: Array<[RegExp, string]> = [
  // Slack: bot, user, app-config, refresh (xoxe-1-...) and rotating (xoxe.xoxp-1-...) tokens.
  [/xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  // DigitalOcean personal (dop), OAuth (doo) and refresh (dor) tokens.
  [/do[opr]_v1_[A-Za-z0-9]{16,}/g, 'do?_v1_[redacted]'],
  [/github_pat_[A-Za-z0-9_]{20,}/g, 'github_pat_[redacted]'],
  [/gh[pousr]_[A-Za-z0-9]{20,}/g, 'gh_[redacted]'],
  // Spaces (S3) access keys: DO followed by 18 upper-case letters or digits.
  [/\bDO[0-9A-Z]{18}\b/g, 'DO[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // scheme://user:password@host -> scheme://user:[redacted]@host
  // The scheme is bounded: `[a-z][a-z0-9+.-]*` is tried at every letter of a long token
  // (base64 in application logs) and was quadratic there.
  [/([a-z][a-z0-9+.-]{0,30}:\/\/[^:/?#\s@]*):[^@\s/]+@/gi, '$1:[redacted]@'],
];

export function scrub(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a value with every string scrubbed; used by the logger. */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}
