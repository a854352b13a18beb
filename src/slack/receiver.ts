import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { verifyRequest } from './signature.js';

export interface HealthReport {
  status: number;
  body: Record<string, unknown>;
}

export interface ReceiverOptions {
  /** Absent in Socket Mode without a signing secret: POST /slack/events then answers 404. */
  signingSecret?: string;
  port: number;
  host?: string;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** True only for the first delivery of a key, across replicas (Redis SET NX). */
  firstDelivery(key: string): Promise<boolean>;
  health(): Promise<HealthReport>;
  bodyLimitBytes?: number;
  /** Answer Slack this long after arrival if no listener acked (Slack gives up at 3 s). */
  ackDeadlineMs?: number;
}

type Ackable = (response?: unknown) => Promise<void>;

/**
 * Bolt receiver for HTTP mode, plus /health and /metrics, which both modes serve.
 * Written instead of Bolt's HTTPReceiver because dockside must reject future
 * timestamps and replayed requests, and needs the ack timing for its metrics.
 */
export class DocksideReceiver implements Receiver {
  private app: App | undefined;
  private server: http.Server | undefined;
  /** Signatures seen in the last window, for when Redis cannot be asked. */
  private readonly recent = new Map<string, number>();

  constructor(private readonly options: ReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        this.options.log.error({ err }, 'request handling failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    this.server = server;
    return server;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      const report = await this.options.health();
      res.writeHead(report.status, { 'content-type': 'application/json' }).end(JSON.stringify(report.body));
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      const { registry } = this.options.metrics;
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      return;
    }
    if (req.method === 'POST' && path === '/slack/events' && this.options.signingSecret) {
      await this.handleSlack(req, res, this.options.signingSecret);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  private reject(res: http.ServerResponse, status: number, result: string, message: string): void {
    this.options.metrics.slackRequests.inc({ result });
    this.options.log.warn({ result }, 'slack request rejected');
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
  }

  private async handleSlack(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    secret: string,
  ): Promise<void> {
    const started = performance.now();
    const raw = await readBody(req, this.options.bodyLimitBytes ?? 1_000_000);
    if (raw === null) return this.reject(res, 413, 'too_large', 'request body too large');

    const signature = header(req, 'x-slack-signature');
    const problem = verifyRequest({
      secret,
      timestampHeader: header(req, 'x-slack-request-timestamp'),
      signatureHeader: signature,
      body: raw,
      nowMs: this.options.clock.now(),
    });
    if (problem) return this.reject(res, 401, problem, 'invalid request signature or timestamp');
    if (!(await this.isFirst(signature ?? '')))
      return this.reject(res, 401, 'replayed', 'request already received');

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, header(req, 'content-type') ?? '');
    } catch {
      return this.reject(res, 400, 'malformed', 'malformed request body');
    }
    if (body.ssl_check === '1') return void res.writeHead(200).end();
    if (body.type === 'url_verification') {
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ challenge: body.challenge }));
    }

    let acked = false;
    const ack: Ackable = async (response) => {
      if (acked) return;
      acked = true;
      clearTimeout(deadline);
      this.options.metrics.ackLatency.observe((performance.now() - started) / 1000);
      this.options.metrics.slackRequests.inc({ result: 'acked' });
      writeAck(res, response);
    };
    const deadline = setTimeout(() => {
      if (acked) return;
      this.options.log.warn('no listener acknowledged a Slack request in time');
      void ack();
    }, this.options.ackDeadlineMs ?? 2500);

    const retryNum = Number(header(req, 'x-slack-retry-num'));
    const event: ReceiverEvent = {
      body,
      ack,
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(header(req, 'x-slack-retry-reason') ? { retryReason: header(req, 'x-slack-retry-reason') } : {}),
    };
    try {
      await this.app?.processEvent(event);
    } catch (err) {
      this.options.log.error({ err }, 'listener failed');
      if (!acked) {
        acked = true;
        clearTimeout(deadline);
        res.writeHead(500).end();
      }
    }
  }

  private async isFirst(signature: string): Promise<boolean> {
    const now = this.options.clock.now();
    for (const [sig, at] of this.recent) {
      if (now - at < 600_000) break;
      this.recent.delete(sig);
    }
    if (this.recent.has(signature)) return false;
    this.recent.set(signature, now);
    try {
      return await this.options.firstDelivery(`slack:sig:${signature}`);
    } catch {
      // Redis down: the local memory above still stops replays to this replica, and
      // any action will be refused anyway because its audit entry cannot be written.
      return true;
    }
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(raw));
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return form;
}

function writeAck(res: http.ServerResponse, response: unknown): void {
  if (response === undefined || response === '') {
    res.writeHead(200).end();
  } else if (typeof response === 'string') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(response);
  } else {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
  }
}
