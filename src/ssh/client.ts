import { Client, type ClientChannel } from 'ssh2';
import { DocksideError } from '../errors.js';
import type { Logger } from '../logger.js';
import { scrub } from '../secrets.js';
import { type RemoteCommand, toShell } from './command.js';
import { type KnownHostKey, knownHostName, verifyHostKey } from './known-hosts.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key text (OpenSSH or PEM). */
  privateKey: string;
  knownHosts: readonly KnownHostKey[];
  connectTimeoutMs: number;
}

export interface RunResult {
  /** Exit status; null when the command died of a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when output past the cap was dropped (the head is dropped, the tail kept). */
  truncated: boolean;
}

/** What a bench or a test may want to see of each remote command. */
export interface CommandReport {
  host: string;
  command: string;
  code: number | null;
  durationMs: number;
}

export interface SshOptions {
  log: Logger;
  /** Per stream; the tail is kept because the end of a log says why it failed. */
  maxOutputBytes?: number;
  onCommand?: (report: CommandReport) => void;
}

export interface SshSession {
  /** `host` or `[host]:port`, as the host_keys line names it. */
  readonly name: string;
  run(command: RemoteCommand, options: { timeoutMs: number }): Promise<RunResult>;
  /** False once the connection is gone (closed, dropped, or ended after a timeout). */
  isOpen(): boolean;
  close(): void;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024;

/** Collects a stream's output, keeping at most `max` bytes: the newest ones. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 0) {
      const over = this.size - this.max;
      const first = this.chunks[0] as Buffer;
      this.truncated = true;
      if (first.length <= over) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.size -= over;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Opens one SSH connection. The host key is checked against `knownHosts` before any
 * authentication: an unknown or changed key stops here and the error names the host.
 */
export function openSsh(target: SshTarget, options: SshOptions): Promise<SshSession> {
  const name = knownHostName(target.host, target.port);
  const log = options.log.child({ host: name });
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const client = new Client();
  let hostKeyProblem: 'unknown' | 'changed' | undefined;
  let open = false;
  client.on('close', () => {
    open = false;
  });

  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    // A host that sends a disconnect before the handshake (an sshd over MaxStartups, a
    // host going down) makes ssh2 close without an error, and stop its ready timeout:
    // without this, the connect would never settle.
    client.once('close', () => {
      if (settled) return;
      fail(
        new DocksideError(
          'ssh_failed',
          `Could not connect to ${target.user}@${name}: the host closed the connection.`,
          { hint: 'Check that the host is up and that sshd accepts connections.' },
        ),
      );
    });
    const fail = (err: unknown) => {
      settled = true;
      // ssh2 can emit a second error as the socket goes (e.g. "Connection lost before
      // handshake" after a connect timeout); with no listener it would kill the process.
      client.on('error', (later: Error) => log.debug({ err: later }, 'ssh error after giving up'));
      client.end();
      reject(err);
    };
    client.once('ready', () => {
      settled = true;
      open = true;
      client.removeAllListeners('error');
      client.on('error', (err: Error) => log.warn({ err }, 'ssh connection error'));
      resolve(session());
    });
    client.once('error', (err: Error & { level?: string }) => {
      if (hostKeyProblem === 'unknown') {
        return fail(
          new DocksideError(
            'ssh_host_key_refused',
            `The host key of ${name} is not in host_keys; nothing was run there.`,
            {
              hint: `Check the host's key (ssh-keyscan ${target.port === 22 ? '' : `-p ${target.port} `}${target.host}) out of band and add its line to host_keys.`,
            },
          ),
        );
      }
      if (hostKeyProblem === 'changed') {
        return fail(
          new DocksideError(
            'ssh_host_key_refused',
            `The host key of ${name} does not match host_keys: it changed, or someone is in the way. Nothing was run there.`,
            { hint: 'Find out why the key changed before you update host_keys.' },
          ),
        );
      }
      const why = err.level === 'client-authentication' ? 'the key was not accepted' : scrub(err.message);
      fail(
        new DocksideError('ssh_failed', `Could not connect to ${target.user}@${name}: ${why}.`, {
          hint: 'Check that the host is up and that ssh_key and user are right.',
        }),
      );
    });
    try {
      client.connect({
        host: target.host,
        port: target.port,
        username: target.user,
        privateKey: target.privateKey,
        readyTimeout: target.connectTimeoutMs,
        keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => {
          const verdict = verifyHostKey(target.knownHosts, target.host, target.port, key);
          if (!verdict.ok) hostKeyProblem = verdict.reason;
          return verdict.ok;
        },
      });
    } catch {
      // ssh2 throws synchronously on a key it cannot parse; its message may quote the key.
      fail(
        new DocksideError('ssh_failed', `The ssh_key for ${name} could not be read.`, {
          hint: 'ssh_key must be an unencrypted OpenSSH or PEM private key.',
        }),
      );
    }
  });

  function session(): SshSession {
    return {
      name,
      isOpen: () => open,
      close: () => {
        open = false;
        client.end();
      },
      run: (command, { timeoutMs }) => run(command, timeoutMs),
    };
  }

  function run(command: RemoteCommand, timeoutMs: number): Promise<RunResult> {
    const line = toShell(command);
    const shown = scrub(line);
    const started = performance.now();
    return new Promise<RunResult>((resolve, reject) => {
      client.exec(line, (err, channel: ClientChannel) => {
        if (err) {
          reject(
            new DocksideError('ssh_failed', `Could not run a command on ${name}: ${scrub(err.message)}`),
          );
          return;
        }
        const out = new Tail(maxOutput);
        const errOut = new Tail(maxOutput);
        let code: number | null = null;
        const timer = setTimeout(() => {
          log.warn({ command: shown, timeoutMs }, 'remote command timed out');
          // The remote side may keep running; closing the connection is the only sure stop.
          open = false;
          channel.close();
          client.end();
          reject(
            new DocksideError(
              'ssh_failed',
              `\`${shown.slice(0, 200)}\` did not finish on ${name} within ${Math.round(timeoutMs / 1000)} s.`,
            ),
          );
        }, timeoutMs);
        channel.on('data', (chunk: Buffer) => out.push(chunk));
        channel.stderr.on('data', (chunk: Buffer) => errOut.push(chunk));
        channel.on('exit', (exitCode: number | null) => {
          code = exitCode;
        });
        channel.on('close', () => {
          clearTimeout(timer);
          const durationMs = Math.round(performance.now() - started);
          log.debug({ command: shown, exit: code, ms: durationMs }, 'remote command');
          options.onCommand?.({ host: name, command: shown, code, durationMs });
          resolve({
            code,
            stdout: out.text(),
            stderr: errOut.text(),
            durationMs,
            truncated: out.truncated || errOut.truncated,
          });
        });
        if (command.stdin !== undefined) channel.end(command.stdin);
        else channel.end();
      });
    });
  }
}
