import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** Local health endpoints: each path answers with the status/body/delay a test sets. */
export async function startHealthServer() {
  const routes = new Map<string, { status: number; body: unknown; delayMs?: number }>();
  /** Requests received per path. */
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    const route = routes.get(req.url ?? '') ?? { status: 200, body: { status: 'ok' } };
    setTimeout(() => {
      res.writeHead(route.status, { 'content-type': 'application/json' }).end(JSON.stringify(route.body));
    }, route.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url, routes, hits };
}
