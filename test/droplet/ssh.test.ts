import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { registerSecret } from '../../src/secrets.js';
import { openSsh, type SshSession } from '../../src/ssh/client.js';
import { cmd } from '../../src/ssh/command.js';
import { parseKnownHosts } from '../../src/ssh/known-hosts.js';
import { type SshHosts, startSshHosts } from '../helpers/sshd.js';

let sim: SshHosts;
const lines: string[] = [];
const log = createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } });

beforeAll(async () => {
  sim = await startSshHosts(1);
});
afterAll(() => sim?.close());

function target(hostKeys: string[]) {
  const host = sim.hosts[0]!;
  return {
    host: host.ip,
    port: host.port,
    user: sim.user,
    privateKey: sim.privateKey,
    knownHosts: parseKnownHosts(hostKeys),
    connectTimeoutMs: 5000,
  };
}

describe('SSH to a simulated Droplet', () => {
  let ssh: SshSession;
  beforeAll(async () => {
    ssh = await openSsh(target([sim.hosts[0]!.hostKeyLine]), { log });
  });
  afterAll(() => ssh?.close());

  it('runs argv exactly as given, however hostile the words', async () => {
    const words = ['a b', "it's", '$(touch /tmp/pwned)', '`id`', '"q"', ';', '|', '*', 'ünï', ''];
    const result = await ssh.run(cmd('printf', '%s\\n', ...words), { timeoutMs: 5000 });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, -1)).toEqual(words);
  });

  it('reports the exit status and logs every command, secrets redacted', async () => {
    registerSecret('s3cr3t-value-xyz');
    const result = await ssh.run(cmd('sh', '-c', 'echo s3cr3t-value-xyz >&2; exit 3'), { timeoutMs: 5000 });
    expect(result.code).toBe(3);
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'remote command');
    const last = logged.at(-1);
    expect(last).toMatchObject({ exit: 3, host: `[${sim.hosts[0]!.ip}]:${sim.hosts[0]!.port}` });
    expect(last.command).toContain('exit 3');
    expect(lines.join('\n')).not.toContain('s3cr3t-value-xyz');
  });

  it('keeps only the tail of a large output', async () => {
    const capped = await openSsh(target([sim.hosts[0]!.hostKeyLine]), { log, maxOutputBytes: 1000 });
    try {
      const result = await capped.run(cmd('seq', '1', '100000'), { timeoutMs: 10_000 });
      expect(result.truncated).toBe(true);
      expect(result.stdout.length).toBeLessThanOrEqual(1000);
      expect(result.stdout.trimEnd().endsWith('\n100000')).toBe(true);
    } finally {
      capped.close();
    }
  });

  it('stops a command that outlives its timeout', async () => {
    const slow = await openSsh(target([sim.hosts[0]!.hostKeyLine]), { log });
    const started = Date.now();
    await expect(slow.run(cmd('sleep', '20'), { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'ssh_failed',
      message: expect.stringContaining('did not finish'),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('host keys', () => {
  it('refuses a host whose key is not in host_keys, naming it', async () => {
    const other = sim.hosts[0]!.hostKeyLine.replace(/^\[[^\]]+\]/, '[10.9.9.9]');
    const err = await openSsh(target([other]), { log }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ssh_host_key_refused' });
    expect((err as Error).message).toContain(`[${sim.hosts[0]!.ip}]:${sim.hosts[0]!.port}`);
    expect((err as Error).message).toContain('not in host_keys');
  });

  it('refuses a host whose key changed', async () => {
    const err = await openSsh(target([sim.hosts[0]!.otherKeyLine]), { log }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ssh_host_key_refused' });
    expect((err as Error).message).toContain('does not match host_keys');
  });

  it('refuses a key it cannot parse without quoting it', async () => {
    const err = await openSsh(
      { ...target([sim.hosts[0]!.hostKeyLine]), privateKey: 'not-a-key-SECRETISH' },
      { log },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ssh_failed' });
    expect((err as Error).message).not.toContain('SECRETISH');
  });
});
