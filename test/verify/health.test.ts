import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkHealth, jsonMismatches, valueAt, withoutQuery } from '../../handlers/deploy/verify/health.js';
import { startHealthServer } from '../helpers/health-server.js';

describe('verify.health: expected status and JSON fields', async () => {
  const server = await startHealthServer();

  it('finds fields by name or dotted path, exactly typed', () => {
    const body = { db: 'ok', checks: { redis: 'ok', queue: 3 }, 'a.b': true };
    expect(valueAt(body, 'checks.redis')).toBe('ok');
    expect(valueAt(body, 'a.b')).toBe(true);
    expect(valueAt(body, 'checks.missing')).toBeUndefined();
    expect(jsonMismatches(body, { db: 'ok', 'checks.queue': 3 })).toEqual([]);
    expect(jsonMismatches(body, { db: 'up', 'checks.queue': '3', storage: 'ok' })).toEqual([
      'db is "ok" (expected "up")',
      'checks.queue is 3 (expected "3")',
      'storage is missing (expected "ok")',
    ]);
  });

  it('passes /health -> 200 and /status -> { db: ok }, and says what differs otherwise', async () => {
    server.routes.set('/health', { status: 200, body: { status: 'ok' } });
    server.routes.set('/status', { status: 200, body: { db: 'down', redis: 'ok' } });
    server.routes.set('/created', { status: 201, body: {} });
    const opts = { timeoutMs: 2000 };
    const health = await checkHealth({ url: `${server.url}/health`, status: 200 }, 'health:0', opts);
    expect(health).toMatchObject({ ok: true, label: `Health ${server.url}/health` });
    expect(health.detail).toMatch(/^HTTP 200 in \d+ ms$/);
    const status = await checkHealth({ url: `${server.url}/status`, json: { db: 'ok' } }, 'health:1', opts);
    expect(status).toMatchObject({ ok: false, detail: 'db is "down" (expected "ok")' });
    const created = await checkHealth({ url: `${server.url}/created`, status: 200 }, 'health:2', opts);
    expect(created).toMatchObject({ ok: false, detail: 'HTTP 201 (expected 200)' });
    const any2xx = await checkHealth({ url: `${server.url}/created` }, 'health:3', opts);
    expect(any2xx.ok).toBe(true);
  });

  it('fails a slow or unreachable URL without throwing, and never shows its query string', async () => {
    server.routes.set('/slow?token=s3cret', { status: 200, body: {}, delayMs: 500 });
    const slow = await checkHealth({ url: `${server.url}/slow?token=s3cret` }, 'h', { timeoutMs: 100 });
    expect(slow).toMatchObject({ ok: false, detail: 'no answer within 100 ms' });
    expect(JSON.stringify(slow)).not.toContain('s3cret');
    const port = await freePort();
    const closed = await checkHealth({ url: `http://127.0.0.1:${port}/health` }, 'h', { timeoutMs: 1000 });
    expect(closed).toMatchObject({ ok: false, detail: 'ECONNREFUSED' });
    expect(withoutQuery('https://x.example/health?key=1')).toBe('https://x.example/health');
  });
});

/** A port nothing listens on (was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
