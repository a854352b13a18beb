import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * Slack's Socket Mode side: says hello to the client that connects, sends it envelopes
 * and resolves each with the client's acknowledgement.
 */
export async function startFakeSocketMode() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  let socket: WebSocket | undefined;
  const acks = new Map<string, (ack: Record<string, unknown>) => void>();
  let connected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    connected = resolve;
  });
  server.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string };
      if (ack.envelope_id) acks.get(ack.envelope_id)?.(ack);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'ADOCKSIDE' } }));
    connected();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`,
    ready,
    /**
     * Sends one envelope (again, when given the id of an earlier one: Slack redelivers)
     * and waits for the bot's ack of it; rejects when none comes within Slack's 3 seconds.
     */
    send(
      type: string,
      payload: Record<string, unknown>,
      envelopeId: string = randomUUID(),
    ): Promise<{ envelopeId: string; ack: Record<string, unknown>; ms: number }> {
      const started = performance.now();
      const acked = new Promise<{ envelopeId: string; ack: Record<string, unknown>; ms: number }>(
        (resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`envelope ${envelopeId} was not acknowledged within 3 s`)),
            3000,
          );
          acks.set(envelopeId, (ack) => {
            clearTimeout(timer);
            resolve({ envelopeId, ack, ms: performance.now() - started });
          });
        },
      );
      socket?.send(
        JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }),
      );
      return acked;
    },
  };
}
