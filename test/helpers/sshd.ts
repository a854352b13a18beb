import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_DOCKER } from '../../src/sandbox/fake-docker.js';
import { createHostState, type HostState } from '../../src/sandbox/host-state.js';

/**
 * Simulated Droplets for tests and the bench: one real OpenSSH sshd per host, each on
 * its own loopback address (127.x.y.z, so hosts can be told apart by IP as DO's API
 * lists them) and a free port, logging in a dedicated local user whose PATH starts
 * with the `docker` stand-in. Each sshd runs in its own mount namespace with the
 * host's directory bound on SIM_ROOT, so every host has its own compose and release
 * files at the same absolute path, as real Droplets do.
 */
export const SSH_TEST_USER = 'dockside-ssh-test';
export const SIM_ROOT = '/srv/dockside-sim';
export const SIM_COMPOSE_FILE = `${SIM_ROOT}/compose/docker-compose.prod.yml`;
export const SIM_RELEASE_FILE = `${SIM_ROOT}/compose/release.env`;
const SSHD = '/usr/sbin/sshd';

export interface SimHost extends HostState {
  /** Loopback address and port this host's sshd listens on. */
  ip: string;
  port: number;
  /** `ip:port`, as a Droplet env's `hosts` entry. */
  address: string;
  /** Its known_hosts line (`[ip]:port ssh-ed25519 ...`). */
  hostKeyLine: string;
  /** Another key of the same type, for "the host key changed" tests. */
  otherKeyLine: string;
}

export interface SshHosts {
  hosts: SimHost[];
  user: string;
  /** OpenSSH private key text accepted by every host. */
  privateKey: string;
  close(): Promise<void>;
}

function sh(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ensureTestUser(): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(sh('id', ['-u', SSH_TEST_USER]).trim()),
    gid: Number(sh('id', ['-g', SSH_TEST_USER]).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      sh('useradd', ['-m', '-s', '/bin/bash', SSH_TEST_USER]);
    } catch {
      // another test file created it at the same moment
    }
    // useradd leaves the account locked, and sshd refuses locked accounts even for keys.
    sh('usermod', ['-p', '*', SSH_TEST_USER]);
    return ids();
  }
}

function portFree(ip: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, ip, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

function waitForPort(ip: string, port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`sshd exited (${child.exitCode}): ${readFileSync(logFile, 'utf8').slice(-500)}`));
        return;
      }
      const socket = net.connect({ host: ip, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        if (Date.now() > deadline) reject(new Error(`sshd on ${ip}:${port} did not start`));
        else setTimeout(attempt, 30);
      });
    };
    attempt();
  });
}

function keyPair(file: string): string {
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

export async function startSshHosts(count: number): Promise<SshHosts> {
  try {
    sh(SSHD, ['-V']);
  } catch (err) {
    const text = String((err as { stderr?: string }).stderr ?? '');
    if (!text.includes('OpenSSH')) {
      throw new Error(`Droplet tests need OpenSSH's sshd at ${SSHD}: apt-get install -y openssh-server`);
    }
  }
  const { uid, gid } = ensureTestUser();
  mkdirSync('/run/sshd', { recursive: true });
  mkdirSync(SIM_ROOT, { recursive: true });
  const base = mkdtempSync(path.join(tmpdir(), 'dockside-sshd-'));
  chmodSync(base, 0o755);
  const bin = path.join(base, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'docker'), FAKE_DOCKER, { mode: 0o755 });
  const clientPub = keyPair(path.join(base, 'client_key'));
  const privateKey = readFileSync(path.join(base, 'client_key'), 'utf8');
  const children: ChildProcess[] = [];
  const hosts: SimHost[] = [];
  try {
    for (let i = 0; i < count; i++) hosts.push(await startHost(i));
  } catch (err) {
    for (const c of children) c.kill('SIGTERM');
    throw err;
  }

  async function startHost(i: number): Promise<SimHost> {
    const dir = path.join(base, `host${i + 1}`);
    const root = path.join(dir, 'root');
    const state = path.join(dir, 'state');
    mkdirSync(dir, { recursive: true });
    chownSync(dir, uid, gid);
    const files = createHostState({ root, state }, (p) => chownSync(p, uid, gid));
    const hostKey = keyPair(path.join(dir, 'host_key'));
    const otherKey = keyPair(path.join(dir, 'other_key'));
    const env = `environment="PATH=${bin}:/usr/bin:/bin",environment="FAKE_DOCKER_STATE=${state}"`;
    writeFileSync(path.join(dir, 'authorized_keys'), `${env} ${clientPub}\n`);
    let ip = '';
    let port: number | undefined;
    while (!port) {
      ip = `127.${randomInt(100, 200)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
      port = await portFree(ip, 0);
    }
    const config = path.join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        `ListenAddress ${ip}`,
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        `AllowUsers ${SSH_TEST_USER}`,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitUserEnvironment yes',
        'PrintMotd no',
        'MaxSessions 50',
        'MaxStartups 50',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    const log = path.join(dir, 'sshd.log');
    const script = `mount --bind "$1" ${SIM_ROOT} && exec ${SSHD} -D -f "$2" -E "$3"`;
    const child = spawn(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', root, config, log],
      {
        stdio: 'ignore',
      },
    );
    children.push(child);
    await waitForPort(ip, port, child, log);
    const address = `${ip}:${port}`;
    const line = (pub: string) => `[${ip}]:${port} ${pub.split(/\s+/).slice(0, 2).join(' ')}`;
    return {
      ...files,
      ip,
      port,
      address,
      hostKeyLine: line(hostKey),
      otherKeyLine: line(otherKey),
    };
  }

  return {
    hosts,
    user: SSH_TEST_USER,
    privateKey,
    async close() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
      rmSync(base, { recursive: true, force: true });
    },
  };
}
