/**
 * One health URL of `verify.health`: the status it answers and, when asked, fields of
 * its JSON body with exact values. Bodies come from the app and are hostile: only
 * short, plain detail text leaves here (the checklist renderer escapes it).
 */
import { performance } from 'node:perf_hooks';
import { scrub } from '../../../src/secrets.js';
import type { ChecklistItem, HealthExpectation } from './types.js';

const MAX_BODY = 64 * 1024;
const MAX_VALUE_CHARS = 60;

/** The value at a dotted path (`checks.db`) of a JSON body; a key with a dot in it is tried whole first. */
export function valueAt(body: unknown, path: string): unknown {
  if (body === null || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  if (Object.hasOwn(o, path)) return o[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const head = path.slice(0, dot);
  return Object.hasOwn(o, head) ? valueAt(o[head], path.slice(dot + 1)) : undefined;
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** What differs from the expected fields, one phrase each; empty when all match. Pure. */
export function jsonMismatches(body: unknown, expected: HealthExpectation['json'] = {}): string[] {
  const out: string[] = [];
  for (const [path, want] of Object.entries(expected)) {
    const got = valueAt(body, path);
    if (got !== want) out.push(`${path} is ${shown(got)} (expected ${shown(want)})`);
  }
  return out;
}

/** A query string may carry a token: the checklist names the URL without it. */
export function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/** The checklist item of one health URL. Never throws: an unreachable URL is a failed item. */
export async function checkHealth(
  check: HealthExpectation,
  key: string,
  options: { timeoutMs: number; fetch?: typeof fetch },
): Promise<ChecklistItem> {
  const label = `Health ${withoutQuery(check.url)}`;
  const started = performance.now();
  let status: number;
  let text: string;
  try {
    const res = await (options.fetch ?? fetch)(check.url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { accept: 'application/json', 'user-agent': 'dockside-verify' },
      redirect: 'manual',
    });
    status = res.status;
    text = (await res.text()).slice(0, MAX_BODY);
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `no answer within ${options.timeoutMs} ms`
        : (e.cause?.code ?? scrub(e.cause?.message ?? e.message ?? 'request failed'));
    return { key, label, ok: false, detail: why };
  }
  const ms = Math.round(performance.now() - started);
  const statusOk = check.status !== undefined ? status === check.status : status >= 200 && status < 300;
  const problems: string[] = [];
  if (!statusOk) problems.push(`HTTP ${status} (expected ${check.status ?? '2xx'})`);
  if (check.json && Object.keys(check.json).length > 0) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push('the body is not JSON');
    }
    if (body !== undefined) problems.push(...jsonMismatches(body, check.json));
  }
  if (problems.length > 0) return { key, label, ok: false, detail: problems.join('; ') };
  const fields = Object.entries(check.json ?? {}).map(([k, v]) => `${k}: ${shown(v)}`);
  return { key, label, ok: true, detail: [`HTTP ${status} in ${ms} ms`, ...fields].join(', ') };
}
