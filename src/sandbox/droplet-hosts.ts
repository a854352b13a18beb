import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssh2, { type Connection, type ParsedKey } from 'ssh2';
import { FAKE_DOCKER } from './fake-docker.js';
import { createHostState, type HostState } from './host-state.js';

/**
 * Simulated Droplets for the sandbox: no root, no system sshd. Each host is an
 * in-process SSH server (ssh2's Server) on 127.0.0.1 with a host key of its own, which
 * accepts one generated client key and runs each command with `bash -c`, the way
 * sshd would, with the `docker` stand-in first on PATH and the host's own state.
 *
 * Real Droplets all have the compose and release files at the same absolute path;
 * the tests give each sshd its own mount namespace for that. Here, without root, the
 * configured root (SANDBOX_ROOT) in a command is replaced by the host's directory
 * before it runs: the same effect, limited to the one path dockside's config names.
 */
// ssh2 is CommonJS; Node's ESM loader sees only some of its names (Client, not Server).
const { Server, utils } = ssh2;

export const SANDBOX_ROOT = '/srv/dockside-sandbox';
export const SANDBOX_COMPOSE_FILE = `${SANDBOX_ROOT}/compose/docker-compose.prod.yml`;
export const SANDBOX_RELEASE_FILE = `${SANDBOX_ROOT}/compose/release.env`;
export const SANDBOX_SSH_USER = 'deploy';

export interface SandboxHost extends HostState {
  port: number;
  /** `127.0.0.1:PORT`, as a Droplet env's `hosts` entry. */
  address: string;
  /** Its known_hosts line: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`. */
  hostKeyLine: string;
  /** A host that is down drops every connection (and the open ones) until it is up again. */
  setDown(down: boolean): void;
}

export interface SandboxHosts {
  hosts: SandboxHost[];
  user: string;
  /** OpenSSH private key text every host accepts. */
  privateKey: string;
  close(): Promise<void>;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * An ed25519 key pair in OpenSSH format. ssh2's generator writes a public key whose
 * first byte is zero with that byte dropped (about 1 in 250 keys), which its own parser
 * then refuses, so a sandbox with five keys failed to start about 2% of the time: a
 * pair is kept only when both halves parse.
 */
export function generateKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) {
      return pair;
    }
  }
}

function parsed(key: ReturnType<typeof utils.parseKey>): ParsedKey {
  if (key instanceof Error) throw key;
  const one = Array.isArray(key) ? key[0] : key;
  if (!one) throw new Error('no key');
  return one;
}

export async function startSandboxHosts(count: number): Promise<SandboxHosts> {
  const base = mkdtempSync(path.join(tmpdir(), 'dockside-sandbox-hosts-'));
  // The root is replaced inside a quoted command line: only a plain path keeps its quoting intact.
  if (!/^[A-Za-z0-9_./-]+$/.test(base)) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`The temporary directory ${base} has characters the simulated hosts cannot use.`);
  }
  const bin = path.join(base, 'bin');
  const docker = path.join(bin, 'docker');
  mkdirSync(bin);
  writeFileSync(docker, FAKE_DOCKER, { mode: 0o755 });
  const client = generateKeyPair();
  const allowed = parsed(utils.parseKey(client.public));
  const servers: ssh2.Server[] = [];
  const connections = new Set<Connection>();
  const children = new Set<ReturnType<typeof spawn>>();

  async function startHost(i: number): Promise<SandboxHost> {
    const dir = path.join(base, `host${i + 1}`);
    const root = path.join(dir, 'root');
    const state = path.join(dir, 'state');
    const files = createHostState({ root, state });
    const hostKey = generateKeyPair();
    let down = false;
    const mine = new Set<Connection>();
    const server = new Server({ hostKeys: [hostKey.private] }, (conn) => {
      if (down) {
        conn.on('error', () => {});
        conn.end();
        return;
      }
      connections.add(conn);
      mine.add(conn);
      conn.on('close', () => {
        mine.delete(conn);
        connections.delete(conn);
      });
      conn.on('error', () => {
        // a client that went away; nothing to tell anyone
      });
      conn.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey' || ctx.username !== SANDBOX_SSH_USER) return ctx.reject(['publickey']);
        const ok =
          ctx.key.algo === allowed.type &&
          sameBytes(ctx.key.data, allowed.getPublicSSH()) &&
          (!ctx.signature || !ctx.blob || allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true);
        return ok ? ctx.accept() : ctx.reject(['publickey']);
      });
      conn.on('ready', () => {
        conn.on('session', (acceptSession) => {
          const session = acceptSession();
          session.on('exec', (accept, _reject, info) => {
            const stream = accept();
            const command = info.command.split(SANDBOX_ROOT).join(root);
            const child = spawn('bash', ['-c', command], {
              cwd: dir,
              env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_DOCKER_STATE: state, HOME: dir },
              stdio: ['pipe', 'pipe', 'pipe'],
            });
            children.add(child);
            child.stdin.on('error', () => {
              // the command exited before reading all of its input
            });
            stream.pipe(child.stdin);
            child.stdout.on('data', (chunk: Buffer) => stream.write(chunk));
            child.stderr.on('data', (chunk: Buffer) => stream.stderr.write(chunk));
            // 'error' (bash could not start) may be followed by 'close': one exit status only.
            let finished = false;
            const finish = (exit: () => void) => {
              children.delete(child);
              if (finished) return;
              finished = true;
              exit();
              stream.end();
            };
            child.on('close', (code, signal) =>
              finish(() =>
                signal ? stream.exit(signal.replace(/^SIG/, ''), false, '') : stream.exit(code ?? 255),
              ),
            );
            child.on('error', (err) =>
              finish(() => {
                stream.stderr.write(`${err.message}\n`);
                stream.exit(127);
              }),
            );
            // The client closed the channel (its timeout): the command stops, as under sshd.
            stream.on('close', () => {
              if (child.exitCode === null) child.kill('SIGTERM');
            });
          });
        });
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const publicKey = hostKey.public.split(/\s+/).slice(0, 2).join(' ');
    return {
      ...files,
      port,
      address: `127.0.0.1:${port}`,
      hostKeyLine: `[127.0.0.1]:${port} ${publicKey}`,
      setDown(value) {
        down = value;
        if (value) for (const c of mine) c.end();
      },
    };
  }

  const hosts: SandboxHost[] = [];
  try {
    for (let i = 0; i < count; i++) hosts.push(await startHost(i));
  } catch (err) {
    for (const s of servers) s.close();
    rmSync(base, { recursive: true, force: true });
    throw err;
  }

  return {
    hosts,
    user: SANDBOX_SSH_USER,
    privateKey: client.private,
    async close() {
      for (const c of children) c.kill('SIGKILL');
      for (const c of connections) c.end();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      rmSync(base, { recursive: true, force: true });
    },
  };
}
