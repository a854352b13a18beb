import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createRegistryClient, MANIFEST_ACCEPT } from '../../src/registry/client.js';
import { assertTag } from '../../src/registry/image.js';
import { type FakeRegistry, startFakeRegistry } from '../../src/sandbox/fake-registry.js';

const lines: string[] = [];
const log = createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } });
let registry: FakeRegistry;
const TOKEN = 'ghp_registryTokenForTests1234567890';

beforeAll(async () => {
  registry = await startFakeRegistry({ token: TOKEN });
});
afterAll(() => registry?.close());

const client = (token = TOKEN) =>
  createRegistryClient({ registries: { [registry.host]: { token, username: 'bot' } }, log });

describe('resolving tags to digests', () => {
  it('answers the bearer challenge with the configured token and returns the digest', async () => {
    const digest = registry.push('acme/vulcan/backend', 'v1.2.0');
    const image = `${registry.host}/acme/vulcan/backend`;
    await expect(client().resolve(image, 'v1.2.0')).resolves.toBe(digest);
    const manifestCalls = registry.requests().filter((r) => r.path.includes('/manifests/'));
    expect(manifestCalls.map((r) => [r.status, r.authorization])).toEqual([
      [401, 'none'],
      [200, 'bearer'],
    ]);
    expect(manifestCalls[1]?.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('follows a tag that moved', async () => {
    registry.push('acme/vulcan/frontend', 'latest');
    const second = registry.push('acme/vulcan/frontend', 'latest');
    await expect(client().resolve(`${registry.host}/acme/vulcan/frontend`, 'latest')).resolves.toBe(second);
  });

  it('says which token to fix when the registry refuses it', async () => {
    registry.push('acme/private', 'v1');
    const err = await client('wrong-token-123456')
      .resolve(`${registry.host}/acme/private`, 'v1')
      .catch((e) => e);
    expect(err).toMatchObject({
      code: 'registry_failed',
      hint: expect.stringContaining(`registries.${registry.host}.token`),
    });
  });

  it('names an unknown tag', async () => {
    const err = await client()
      .resolve(`${registry.host}/acme/vulcan/backend`, 'nope')
      .catch((e) => e);
    expect(err).toMatchObject({
      code: 'registry_failed',
      message: expect.stringContaining(':nope does not exist'),
    });
  });

  it('refuses a digest header that does not match the manifest', async () => {
    registry.push('acme/liar', 'v1');
    registry.lieAboutDigests(true);
    try {
      const err = await client()
        .resolve(`${registry.host}/acme/liar`, 'v1')
        .catch((e) => e);
      expect(err).toMatchObject({
        code: 'registry_failed',
        message: expect.stringContaining('does not match'),
      });
    } finally {
      registry.lieAboutDigests(false);
    }
  });

  it('refuses a tag outside Docker grammar before asking the registry', async () => {
    const before = registry.requests().length;
    const err = await client()
      .resolve(`${registry.host}/acme/vulcan/backend`, '../../x')
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'usage' });
    expect(registry.requests().length).toBe(before);
  });

  it('repeats a refused tag without letting it ping or break out of its code span', () => {
    const err = (() => {
      try {
        return assertTag('<!channel>`*x*');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toMatchObject({ code: 'usage' });
    expect((err as Error).message).toBe('`&lt;!channel&gt;ˋ*x*` is not an image tag.');
  });
});

describe('GHCR', () => {
  it('exchanges the PAT at ghcr.io/token and sends the manifest Accept list', async () => {
    const body = '{"schemaVersion":2}';
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(body).digest('hex')}`;
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/vulcan/backend/manifests/latest')
      .reply(
        401,
        {},
        {
          'www-authenticate':
            'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/vulcan/backend:pull"',
        },
      )
      .get('/token')
      .query({ service: 'ghcr.io', scope: 'repository:acme/vulcan/backend:pull' })
      .basicAuth({ user: 'dockside', pass: TOKEN })
      .reply(200, { token: 'short-lived-bearer-abc' })
      .get('/v2/acme/vulcan/backend/manifests/latest')
      .matchHeader('authorization', 'Bearer short-lived-bearer-abc')
      .matchHeader('accept', MANIFEST_ACCEPT)
      .reply(200, body, { 'docker-content-digest': digest });
    const ghcrClient = createRegistryClient({
      registries: { 'ghcr.io': { token: TOKEN, username: 'dockside' } },
      log,
    });
    await expect(ghcrClient.resolve('ghcr.io/acme/vulcan/backend', 'latest')).resolves.toBe(digest);
    expect(ghcr.isDone()).toBe(true);
  });
});
