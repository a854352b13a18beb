import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { generateKeyPair, startSandboxHosts } from '../../src/sandbox/droplet-hosts.js';
import { openSsh } from '../../src/ssh/client.js';
import { parseKnownHosts } from '../../src/ssh/known-hosts.js';

/**
 * A host that accepts TCP and never speaks SSH (a hung sshd, a black-holed port):
 * the connect timeout rejects, and ssh2's second error after the socket is dropped
 * ("Connection lost before handshake") must not reach the process, where it would
 * kill the replica in the middle of someone's /health.
 */
describe('a host gone silent', () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });

  it('rejects after the connect timeout and leaves no uncaught error behind', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', record);
    try {
      const started = Date.now();
      await expect(
        openSsh(
          {
            host: '127.0.0.1',
            port,
            user: 'deploy',
            privateKey: generateKeyPair().private,
            knownHosts: parseKnownHosts([`[127.0.0.1]:${port} ssh-ed25519 AAAA`]),
            connectTimeoutMs: 300,
          },
          { log: createLogger({ level: 'silent' }) },
        ),
      ).rejects.toMatchObject({ code: 'ssh_failed' });
      expect(Date.now() - started).toBeLessThan(3000);
      // The socket close that follows the timeout arrives on a later tick.
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('rejects at once when the host closes the connection before the handshake', async () => {
    // A sandbox host that is down answers the SSH banner with a disconnect, as an sshd
    // over its MaxStartups does; without an error event, nothing used to settle.
    const hosts = await startSandboxHosts(1);
    const host = hosts.hosts[0]!;
    host.setDown(true);
    try {
      const started = Date.now();
      await expect(
        openSsh(
          {
            host: '127.0.0.1',
            port: host.port,
            user: hosts.user,
            privateKey: hosts.privateKey,
            knownHosts: parseKnownHosts([host.hostKeyLine]),
            connectTimeoutMs: 5000,
          },
          { log: createLogger({ level: 'silent' }) },
        ),
      ).rejects.toMatchObject({
        code: 'ssh_failed',
        message: expect.stringContaining('closed the connection'),
      });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await hosts.close();
    }
  });
});
