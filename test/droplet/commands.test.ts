import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeCommands } from '../../handlers/droplet/compose.js';
import { parseReleaseFile, renderReleaseFile } from '../../handlers/droplet/release-file.js';
import { DropletsConfig } from '../../src/config/schema.js';
import { toShell } from '../../src/ssh/command.js';
import { knownHostName, parseKnownHosts, verifyHostKey } from '../../src/ssh/known-hosts.js';

const config = DropletsConfig.parse({
  hosts: ['10.0.0.5'],
  user: 'deploy',
  ssh_key: 'k',
  host_keys: ['10.0.0.5 ssh-ed25519 AAAA'],
  compose_file: '/opt/vulcan/compose/docker-compose.prod.yml',
  project: 'vulcan',
  release_file: '/opt/vulcan/compose/release.env',
  services: {
    backend: { image: 'ghcr.io/acme/vulcan/backend', variable: 'BACKEND_IMAGE' },
    frontend: { image: 'ghcr.io/acme/vulcan/frontend', variable: 'FRONTEND_IMAGE' },
  },
  migrate: { service: 'backend', command: "alembic upgrade head && echo 'done'" },
  host_health: { service: 'backend', url: 'http://127.0.0.1:8000/health' },
});
const c = composeCommands(config);
const base = [
  'docker',
  'compose',
  '--project-name',
  'vulcan',
  '--file',
  '/opt/vulcan/compose/docker-compose.prod.yml',
  '--env-file',
  '/opt/vulcan/compose/release.env',
];
const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

describe('remote commands as data', () => {
  it('builds each compose step as argv', () => {
    expect(c.pull().argv).toEqual([...base, 'pull', '--quiet', 'backend', 'frontend']);
    expect(c.up().argv).toEqual([...base, 'up', '-d', '--no-build', 'backend', 'frontend']);
    expect(c.logs('backend', 50).argv).toEqual([...base, 'logs', '--no-color', '--tail', '50', 'backend']);
    expect(c.migrate(config.migrate!).argv).toEqual([
      ...base,
      'exec',
      '-T',
      'backend',
      'sh',
      '-c',
      "alembic upgrade head && echo 'done'",
    ]);
  });

  it('quotes what the shell would otherwise read', () => {
    expect(toShell(c.migrate(config.migrate!))).toBe(
      `${base.join(' ')} exec -T backend sh -c 'alembic upgrade head && echo '\\''done'\\'''`,
    );
  });

  it('writes the release file through stdin, replacing it atomically', () => {
    const write = c.writeRelease('X=1\n');
    expect(write.stdin).toBe('X=1\n');
    expect(write.argv.at(-1)).toBe('/opt/vulcan/compose/release.env');
    expect(write.argv[2]).toContain('mv "$1.dockside-new" "$1"');
  });
});

describe('release file', () => {
  const release = {
    id: 'r1',
    services: [
      { service: 'backend', image: 'ghcr.io/acme/vulcan/backend', digest: D1 },
      { service: 'frontend', image: 'ghcr.io/acme/vulcan/frontend', digest: D2 },
    ],
  };
  it('pins every service by digest and reads back the same', () => {
    const text = renderReleaseFile(config, release);
    expect(text).toBe(
      `# dockside release r1\nBACKEND_IMAGE=ghcr.io/acme/vulcan/backend@${D1}\nFRONTEND_IMAGE=ghcr.io/acme/vulcan/frontend@${D2}\n`,
    );
    expect(parseReleaseFile(config, text)).toEqual(release);
  });
  it('refuses a digest that is not one', () => {
    expect(() =>
      renderReleaseFile(config, {
        ...release,
        services: release.services.map((s) => ({ ...s, digest: 'latest' })),
      }),
    ).toThrow(/not a sha256 digest/);
  });
});

describe('known_hosts lines', () => {
  const key = Buffer.from('ssh-ed25519-key-blob');
  const line = `[10.0.0.6]:2222 ssh-ed25519 ${key.toString('base64')}`;
  it('matches host and port, and tells unknown from changed', () => {
    const known = parseKnownHosts([line, '# comment', '']);
    expect(knownHostName('10.0.0.6', 2222)).toBe('[10.0.0.6]:2222');
    expect(verifyHostKey(known, '10.0.0.6', 2222, key)).toEqual({ ok: true });
    expect(verifyHostKey(known, '10.0.0.6', 22, key)).toEqual({ ok: false, reason: 'unknown' });
    expect(verifyHostKey(known, '10.0.0.6', 2222, Buffer.from('other'))).toEqual({
      ok: false,
      reason: 'changed',
    });
  });
  it('understands hashed entries (ssh-keyscan -H)', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hash = createHmac('sha1', salt).update('10.0.0.7').digest('base64');
    const known = parseKnownHosts([
      `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${key.toString('base64')}`,
    ]);
    expect(verifyHostKey(known, '10.0.0.7', 22, key)).toEqual({ ok: true });
    expect(verifyHostKey(known, '10.0.0.8', 22, key)).toEqual({ ok: false, reason: 'unknown' });
  });
});
