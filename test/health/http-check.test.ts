import { describe, expect, it } from 'vitest';
import { checkHealthUrl, checkStatusUrl } from '../../handlers/health/http-check.js';
import { startHealthServer } from './helpers.js';

describe('health URL checks', async () => {
  const server = await startHealthServer({
    ok: { body: { status: 'ok', database: 'connected', redis: 'connected', uptime: 12 } },
    down: { status: 503, body: { status: 'error' } },
    dbgone: { body: { status: 'ok', database: 'disconnected' } },
    nested: { body: { status: 'ok', database: { status: 'down', latency: 3 } } },
    slow: { delayMs: 300 },
    hang: { hang: true },
    plain: { body: 'OK' },
    status: {
      body: {
        checks: [
          { name: 'db', status: 'pass' },
          { name: 'queue', status: 'fail' },
          { name: 'mail', ok: false },
        ],
      },
    },
    statusmap: { body: { database: 'ok', cache: 'ok', timestamp: '2026-11-05' } },
  });

  it('is good on 200 with good body fields, and reports status and latency', async () => {
    const r = await checkHealthUrl(server.url('ok'), 1000);
    expect(r.state).toBe('good');
    expect(r.detail).toMatch(/^200 \d+ms$/);
  });

  it('is bad on 5xx', async () => {
    expect(await checkHealthUrl(server.url('down'), 1000)).toMatchObject({
      state: 'bad',
      detail: expect.stringMatching(/^503 .* status error$/),
    });
  });

  it('is bad when a 200 body says the database is gone', async () => {
    expect(await checkHealthUrl(server.url('dbgone'), 1000)).toMatchObject({
      state: 'bad',
      detail: expect.stringContaining('database disconnected'),
    });
    expect(await checkHealthUrl(server.url('nested'), 1000)).toMatchObject({
      state: 'bad',
      detail: expect.stringContaining('database down'),
    });
  });

  it('measures a slow answer within the timeout as good with its latency', async () => {
    const r = await checkHealthUrl(server.url('slow'), 2000);
    expect(r.state).toBe('good');
    expect(r.latencyMs).toBeGreaterThanOrEqual(290);
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const started = Date.now();
    const r = await checkHealthUrl(server.url('hang'), 250);
    expect(Date.now() - started).toBeLessThan(600);
    expect(r).toMatchObject({ state: 'bad', detail: 'timeout 250ms' });
  });

  it('says when nothing listens', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    expect(await checkHealthUrl(`http://127.0.0.1:${port}/health`, 1000)).toMatchObject({
      state: 'bad',
      detail: 'ECONNREFUSED',
    });
  });

  it('accepts a non-JSON 200', async () => {
    expect((await checkHealthUrl(server.url('plain'), 1000)).state).toBe('good');
  });

  it('names the failing checks of a /status endpoint in list or map form', async () => {
    expect(await checkStatusUrl(server.url('status'), 1000)).toMatchObject({
      state: 'bad',
      detail: 'failing: queue, mail',
    });
    expect((await checkStatusUrl(server.url('statusmap'), 1000)).state).toBe('good');
  });
});
