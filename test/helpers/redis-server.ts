import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A redis-server of this test file's own (no persistence, 127.0.0.1, a free port), for
 * tests that must see every key or take Redis away, without touching the shared one.
 */
export async function startRedisServer(): Promise<{ url: string; client: Redis }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill();
        throw new Error(
          `redis-server did not start on port ${port} (is redis-server installed?): ${String(err)}`,
        );
      }
      client.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  afterAll(() => {
    client.disconnect();
    child.kill();
  });
  return { url, client };
}
