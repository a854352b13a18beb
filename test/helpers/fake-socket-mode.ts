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
    /** Sends one envelope and waits for the bot's ack of it. */
    send(type: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
      const envelope_id = randomUUID();
      const acked = new Promise<Record<string, unknown>>((resolve) => acks.set(envelope_id, resolve));
      socket?.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: true }));
      return acked;
    },
  };
}
