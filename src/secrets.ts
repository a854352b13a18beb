/**
 * Scrubbing of secrets from any text that leaves the process (logs, Slack, audit).
 * Two layers: known secret values registered at start-up (tokens, passwords from
 * connection strings) are replaced wherever they appear, and shapes that are always
 * secret (Slack tokens, credentials inside URLs, bearer headers) are replaced by pattern.
 */
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

/** Registers a connection string's password (and the whole string) as secrets. */
export function registerConnectionString(url: string | undefined): void {
  if (!url) return;
  registerSecret(url);
  try {
    const parsed = new URL(url);
    if (parsed.password) registerSecret(decodeURIComponent(parsed.password));
  } catch {
    // not a URL: the whole value is registered above
  }
}

const PATTERNS: Array<[RegExp, string]> = [
  [/xox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/dop_v1_[a-f0-9]{20,}/g, 'dop_v1_[redacted]'],
  [/gh[pousr]_[A-Za-z0-9]{20,}/g, 'gh_[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // scheme://user:password@host -> scheme://user:[redacted]@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):[^@\s/]+@/gi, '$1:[redacted]@'],
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
