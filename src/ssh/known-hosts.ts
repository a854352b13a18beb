import { createHmac } from 'node:crypto';

/**
 * `host_keys` are known_hosts lines. A host is accepted only when a line names it
 * (`host`, `[host]:port` when the port is not 22, or a hashed `|1|salt|hash` entry)
 * with the key type and key it presents; anything else stops the connection.
 */
export interface KnownHostKey {
  /** Plain patterns (`10.0.0.5`, `[10.0.0.5]:2222`) or hashed entries. */
  names: string[];
  type: string;
  /** The key blob, base64 as in known_hosts. */
  key: string;
}

export function parseKnownHosts(lines: readonly string[]): KnownHostKey[] {
  const keys: KnownHostKey[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    // Markers (@revoked, @cert-authority) are not supported: refuse rather than misread them.
    if (fields[0]?.startsWith('@')) continue;
    const [names, type, key] = fields;
    if (!names || !type || !key) continue;
    keys.push({ names: names.split(','), type, key });
  }
  return keys;
}

/** How a host appears in known_hosts: bare on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('|1|')) return pattern === name;
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: 'unknown' | 'changed' };

/**
 * Checks the key a host presented. `changed` when lines for the host exist but none
 * carries this key (a man in the middle or a rebuilt host); `unknown` when no line
 * names the host at all.
 */
export function verifyHostKey(
  known: readonly KnownHostKey[],
  host: string,
  port: number,
  presented: Buffer,
): HostKeyVerdict {
  const name = knownHostName(host, port);
  const forHost = known.filter((k) => k.names.some((p) => nameMatches(p, name)));
  if (forHost.length === 0) return { ok: false, reason: 'unknown' };
  const blob = presented.toString('base64');
  return forHost.some((k) => k.key === blob) ? { ok: true } : { ok: false, reason: 'changed' };
}

/** Entries of `hosts` (`host[:port]`) that no line names: a config that could never connect to them. */
export function hostsWithoutKey(
  lines: readonly string[],
  hosts: readonly string[],
  defaultPort: number,
): string[] {
  const known = parseKnownHosts(lines);
  return hosts
    .map((entry) => parseHostEntry(entry, defaultPort))
    .map((h) => knownHostName(h.host, h.port))
    .filter((name) => !known.some((k) => k.names.some((p) => nameMatches(p, name))));
}

/** `10.0.0.5`, `10.0.0.5:2222`, `[fd00::5]:22` -> host and port. */
export function parseHostEntry(entry: string, defaultPort: number): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return { host: v6[1] as string, port: v6[2] ? Number(v6[2]) : defaultPort };
  const [host = '', port] = entry.split(':');
  return { host, port: port ? Number(port) : defaultPort };
}
