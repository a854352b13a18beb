import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
}

/** What a rule does to one request; undefined forwards it unchanged. */
export type Fault =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { hang: true }
  /** Forwards it, and runs `after` once the upstream answered, before the answer goes back. */
  | { forward: true; after: (answer: { status: number; body: string }) => void | Promise<void> };

export type Rule = (req: ProxiedRequest) => Fault | undefined;

/**
 * An HTTP proxy in front of a fake (DigitalOcean simulator, fake Slack) that lets a
 * test make chosen requests fail: a status and body of its choice (429 with
 * Retry-After, 500, a body that is not JSON), no answer at all, or a hook run between
 * the upstream's answer and the client (to kill a process mid-create).
 */
export async function startFaultProxy(upstream?: string) {
  let target = new URL(upstream ?? 'http://127.0.0.1:1');
  const rules: Rule[] = [];
  const seen: ProxiedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const request = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') };
        seen.push(request);
        let fault: Fault | undefined;
        for (const rule of rules) {
          fault = rule(request);
          if (fault) break;
        }
        if (fault && 'hang' in fault) {
          hanging.add(res);
          return;
        }
        if (fault && 'status' in fault) {
          res
            .writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
            .end(fault.body ?? '');
          return;
        }
        const headers = { ...req.headers, host: target.host };
        const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
          (resolve, reject) => {
            const out = http.request(
              { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
              (up) => {
                const parts: Buffer[] = [];
                up.on('data', (c: Buffer) => parts.push(c));
                up.on('end', () =>
                  resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(parts) }),
                );
              },
            );
            out.on('error', reject);
            out.end(body);
          },
        );
        if (fault && 'forward' in fault)
          await fault.after({ status: answer.status, body: answer.body.toString() });
        if (res.destroyed) return;
        const {
          'content-length': _length,
          'transfer-encoding': _te,
          connection: _c,
          ...rest
        } = answer.headers;
        res.writeHead(answer.status, rest).end(answer.body);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const proxy = {
    origin: `http://127.0.0.1:${port}`,
    /** The proxy's URL for the upstream's URL (same path). */
    urlFor(upstreamUrl: string): string {
      target = new URL(upstreamUrl);
      return `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`;
    },
    seen,
    /** Adds a rule; returns a function that removes it. */
    rule(rule: Rule): () => void {
      rules.push(rule);
      return () => {
        const i = rules.indexOf(rule);
        if (i >= 0) rules.splice(i, 1);
      };
    },
    /** A rule that applies to the first `times` matching requests only. */
    times(times: number, match: (req: ProxiedRequest) => boolean, fault: Fault): () => void {
      let left = times;
      return proxy.rule((req) => {
        if (left <= 0 || !match(req)) return undefined;
        left--;
        return fault;
      });
    },
    clear(): void {
      rules.length = 0;
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  afterAll(() => proxy.close());
  return proxy;
}

export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>;

/** The Slack Web API method of a request through the proxy (`chat.update`), or ''. */
export const slackMethod = (req: ProxiedRequest) => /\/api\/([a-zA-Z.]+)/.exec(req.path)?.[1] ?? '';
