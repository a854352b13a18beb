import net from 'node:net';
import { afterAll } from 'vitest';

/**
 * A TCP proxy in front of a real service, so a test can take the service "down" for one
 * bot without touching the shared server: at once (`cut`), or at an exact moment, right
 * after a reply that matches `cutAfterReply` reached the bot. That is "Redis died just
 * after this transition", without guessing at timing.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let accepting = true;
  let trigger: { match: (reply: string) => boolean; fired: () => void } | undefined;
  const cut = () => {
    accepting = false;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const server = net.createServer((client) => {
    if (!accepting) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk, () => {
        const t = trigger;
        if (t?.match(chunk.toString('utf8'))) {
          trigger = undefined;
          cut();
          t.fired();
        }
      });
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  const proxy = {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Cuts every connection and refuses new ones, as if the service died. */
    cut,
    restore() {
      accepting = true;
    },
    /** Resolves once a reply containing `text` went through and every connection was cut. */
    cutAfterReply(text: string): Promise<void> {
      return new Promise((resolve) => {
        trigger = { match: (reply) => reply.includes(text), fired: resolve };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
  afterAll(() => proxy.close());
  return proxy;
}
