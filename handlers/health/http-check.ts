import { performance } from 'node:perf_hooks';
import { scrub } from '../../src/secrets.js';
import { ms } from './limits.js';
import type { CheckResult, HealthState } from './types.js';

const GOOD = /^(ok|up|healthy|pass|passed|passing|connected|green|available|true|success)$/i;
const MAX_BODY = 64 * 1024;

function stateOf(value: unknown): HealthState | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value ? 'good' : 'bad';
  if (typeof value === 'string') return GOOD.test(value.trim()) ? 'good' : 'bad';
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return stateOf(o.status ?? o.state ?? o.ok ?? o.healthy);
  }
  return undefined;
}

function label(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return String(o.status ?? o.state ?? o.ok ?? o.healthy);
  }
  return String(value);
}

interface Fetched {
  status: number;
  latencyMs: number;
  json: unknown;
}

async function get(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<Fetched> {
  const started = performance.now();
  // One signal covers connecting, headers and body, so a server that trickles its body still times out.
  const res = await fetchImpl(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json', 'user-agent': 'dockside-health' },
  });
  const text = (await res.text()).slice(0, MAX_BODY);
  const latencyMs = performance.now() - started;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, latencyMs, json };
}

/** fetch hides the socket error (ECONNREFUSED, ENOTFOUND) a cause or two deep. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string' && e.code.startsWith('E')) return e.code;
  return errorCode(e.cause, depth + 1) ?? errorCode(e.errors?.[0], depth + 1);
}

function failure(name: string, err: unknown, timeoutMs: number, started: number): CheckResult {
  const e = err as { name?: string; message?: string };
  const latencyMs = performance.now() - started;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return { name, state: 'bad', detail: `timeout ${ms(timeoutMs)}`, latencyMs };
  }
  const cause = (err as { cause?: { message?: string } }).cause?.message;
  const why = errorCode(err) ?? scrub(cause ?? e.message ?? 'failed');
  return { name, state: 'bad', detail: why, latencyMs };
}

/**
 * GET health_url: good when 2xx and the JSON body's own `status`, `database` and `redis`
 * fields (when present) say so. The body fields matter: an app often answers 200 while
 * telling you its database is gone.
 */
export async function checkHealthUrl(
  url: string,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<CheckResult> {
  const started = performance.now();
  try {
    const { status, latencyMs, json } = await get(url, timeoutMs, fetchImpl);
    const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    const notes: string[] = [];
    let state: HealthState = status >= 200 && status < 300 ? 'good' : 'bad';
    for (const field of ['status', 'database', 'redis', 'storage']) {
      const s = stateOf(body[field]);
      if (s === 'bad') {
        state = 'bad';
        notes.push(`${field} ${label(body[field])}`);
      }
    }
    return { name: 'http', state, detail: [`${status} ${ms(latencyMs)}`, ...notes].join(' '), latencyMs };
  } catch (err) {
    return failure('http', err, timeoutMs, started);
  }
}

/** The named checks of a `/status` endpoint, in whichever common shape it answers. */
function namedChecks(json: unknown): Array<[string, unknown]> {
  const source = (json as { checks?: unknown })?.checks ?? json;
  if (Array.isArray(source)) {
    return source.map((c, i) => [String((c as { name?: unknown })?.name ?? `check ${i + 1}`), c]);
  }
  if (typeof source === 'object' && source !== null) {
    return Object.entries(source).filter(([k]) => !['timestamp', 'version', 'uptime'].includes(k));
  }
  return [];
}

export async function checkStatusUrl(
  url: string,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<CheckResult> {
  const started = performance.now();
  try {
    const { status, latencyMs, json } = await get(url, timeoutMs, fetchImpl);
    const failing = namedChecks(json)
      .filter(([, v]) => stateOf(v) === 'bad')
      .map(([k]) => k);
    const state: HealthState = status >= 200 && status < 300 && failing.length === 0 ? 'good' : 'bad';
    const detail = failing.length > 0 ? `failing: ${failing.join(', ')}` : `${status} ${ms(latencyMs)}`;
    return { name: 'status', state, detail, latencyMs };
  } catch (err) {
    return failure('status', err, timeoutMs, started);
  }
}
