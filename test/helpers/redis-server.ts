import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

/** A port nobody listens on right now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A redis-server of the test file's own, on a free port, so a test can see every key, or
 * kill, restart, empty, make read-only or full its Redis without touching the shared one
 * on 6379. Data survive a SIGKILL (append-only file, fsync always), as on a managed Redis.
 */
export async function startRedisServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'dockside-test-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const admin = () => {
    const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    return r;
  };
  async function run<T>(work: (r: Redis) => Promise<T>): Promise<T> {
    const r = admin();
    try {
      await r.connect();
      return await work(r);
    } finally {
      r.disconnect();
    }
  }

  async function start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    proc.on('error', (err) => {
      throw new Error(`redis-server could not be started (is it installed?): ${err.message}`);
    });
    child = proc;
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        if ((await run((r) => r.ping())) === 'PONG') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline || proc.exitCode !== null) {
        proc.kill();
        throw new Error(`redis-server did not start on port ${port} (is redis-server installed?)`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  await start();
  const server = {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** SIGKILL, as when the managed Redis dies. */
    kill,
    /** Starts again on the same port with the same data. */
    start,
    /** Starts again on the same port with nothing in it (a restarted Redis without persistence). */
    async restartEmpty(): Promise<void> {
      await kill();
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      await start();
    },
    /** Becomes a replica of a master that does not exist: reads work, writes answer READONLY (as after a failover). */
    async readonly(): Promise<void> {
      await run((r) => r.call('REPLICAOF', '127.0.0.1', String(port === 1 ? 2 : 1)));
    },
    /** Refuses writes with OOM (maxmemory reached, no eviction). */
    async full(): Promise<void> {
      await run(async (r) => {
        await r.config('SET', 'maxmemory-policy', 'noeviction');
        await r.config('SET', 'maxmemory', '1');
      });
    },
    /** Every key in this server (to check what a bot wrote, prefix and all). */
    keys(pattern = '*'): Promise<string[]> {
      return run((r) => r.keys(pattern));
    },
    /** Takes writes again. */
    async heal(): Promise<void> {
      await run(async (r) => {
        await r.call('REPLICAOF', 'NO', 'ONE');
        await r.config('SET', 'maxmemory', '0');
      });
    },
    async close(): Promise<void> {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  afterAll(() => server.close());
  return server;
}

export type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;
