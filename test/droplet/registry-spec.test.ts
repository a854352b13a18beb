import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { type FakeRegistry, startFakeRegistry } from '../../src/sandbox/fake-registry.js';

/**
 * The fake registry held to the OCI distribution spec (manifests by GET/HEAD, content
 * negotiation, error bodies, the bearer token dance), and what dockside's registry
 * client makes of each answer it can get.
 */
const log = createLogger({ level: 'silent' });
const TOKEN = 'ghp_registrySpecToken0123456789abcdef';
const INDEX = 'application/vnd.oci.image.index.v1+json';
let registry: FakeRegistry;

beforeAll(async () => {
  registry = await startFakeRegistry({ token: TOKEN });
});
afterAll(() => registry?.close());

const client = () =>
  createRegistryClient({ registries: { [registry.host]: { token: TOKEN, username: 'bot' } }, log });

async function bearerFor(name: string): Promise<string> {
  const basic = Buffer.from(`bot:${TOKEN}`).toString('base64');
  const res = await fetch(`${registry.url}/token?service=fake-registry&scope=repository:${name}:pull`, {
    headers: { authorization: `Basic ${basic}` },
  });
  return ((await res.json()) as { token: string }).token;
}

async function manifest(
  name: string,
  ref: string,
  init: { method?: string; accept?: string; token?: string },
) {
  return fetch(`${registry.url}/v2/${name}/manifests/${ref}`, {
    method: init.method ?? 'GET',
    headers: {
      accept: init.accept ?? INDEX,
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
}

const errors = (code: string) => ({
  errors: [{ code, message: expect.any(String), detail: expect.anything() }],
});

describe('the fake registry follows the distribution spec', () => {
  it('answers HEAD with the digest, type and length of what GET sends, and no body', async () => {
    const digest = registry.push('acme/head', 'v1');
    const token = await bearerFor('acme/head');
    const get = await manifest('acme/head', 'v1', { token });
    const body = Buffer.from(await get.arrayBuffer());
    const head = await manifest('acme/head', 'v1', { method: 'HEAD', token });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect(head.headers.get('content-type')).toBe(INDEX);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(await head.text()).toBe('');
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(digest);
  });

  it('challenges with realm, service and scope, and scopes the token to one repository', async () => {
    registry.push('acme/one', 'v1');
    registry.push('acme/two', 'v1');
    const anonymous = await manifest('acme/one', 'v1', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer realm="${registry.url}/token",service="fake-registry",scope="repository:acme/one:pull"`,
    );
    expect(await anonymous.json()).toEqual(errors('UNAUTHORIZED'));
    const token = await bearerFor('acme/one');
    expect((await manifest('acme/one', 'v1', { token })).status).toBe(200);
    const other = await manifest('acme/two', 'v1', { token });
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('tells an unknown repository (NAME_UNKNOWN) from an unknown tag or an Accept it cannot serve (MANIFEST_UNKNOWN)', async () => {
    registry.push('acme/known', 'v1');
    const nameless = await manifest('acme/unknown', 'v1', { token: await bearerFor('acme/unknown') });
    expect([nameless.status, await nameless.json()]).toEqual([404, errors('NAME_UNKNOWN')]);
    const token = await bearerFor('acme/known');
    const tagless = await manifest('acme/known', 'v2', { token });
    expect([tagless.status, await tagless.json()]).toEqual([404, errors('MANIFEST_UNKNOWN')]);
    const narrow = await manifest('acme/known', 'v1', {
      token,
      accept: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    expect([narrow.status, await narrow.json()]).toEqual([404, errors('MANIFEST_UNKNOWN')]);
  });
});

describe('dockside resolving tags against what registries answer', () => {
  it('resolves every manifest kind a tag can point at', async () => {
    for (const mediaType of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ] as const) {
      const digest = registry.push('acme/kinds', mediaType.length.toString(), { mediaType });
      await expect(
        client().resolve(`${registry.host}/acme/kinds`, mediaType.length.toString()),
      ).resolves.toBe(digest);
    }
  });

  it('gets a new token when the one it kept has expired', async () => {
    const first = registry.push('acme/expiring', 'v1');
    const resolver = client();
    await expect(resolver.resolve(`${registry.host}/acme/expiring`, 'v1')).resolves.toBe(first);
    registry.expireTokens();
    const second = registry.push('acme/expiring', 'v2');
    await expect(resolver.resolve(`${registry.host}/acme/expiring`, 'v2')).resolves.toBe(second);
  });

  it('sends the token it keeps with the first request, so a repeated resolve is one request', async () => {
    registry.push('acme/repeat', 'v1');
    const resolver = client();
    const calls = () => registry.requests().filter((r) => r.path === '/v2/acme/repeat/manifests/v1');
    await resolver.resolve(`${registry.host}/acme/repeat`, 'v1');
    const first = calls().length;
    await resolver.resolve(`${registry.host}/acme/repeat`, 'v1');
    expect([first, calls().length - first]).toEqual([2, 1]);
    expect(calls().at(-1)).toMatchObject({ authorization: 'bearer', status: 200 });
  });

  it('follows a redirect to another host without taking the token along', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] });
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const seen: string[] = [];
    const cdn = createServer((req, res) => {
      seen.push(req.headers.authorization ?? 'none');
      res.writeHead(200, { 'content-type': INDEX, 'docker-content-digest': digest }).end(body);
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    registry.push('acme/cdn', 'v1');
    registry.redirectManifests(`http://localhost:${(cdn.address() as AddressInfo).port}`);
    try {
      await expect(client().resolve(`${registry.host}/acme/cdn`, 'v1')).resolves.toBe(digest);
      expect(seen).toEqual(['none']);
    } finally {
      registry.redirectManifests(undefined);
      cdn.close();
    }
  });

  it('says the repository does not exist, not the tag, on NAME_UNKNOWN', async () => {
    const err = await client()
      .resolve(`${registry.host}/acme/never-pushed`, 'v1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'registry_failed',
      message: `The repository ${registry.host}/acme/never-pushed does not exist in the registry, or its token cannot see it.`,
    });
  });

  it('says the token has no access to the package on DENIED', async () => {
    registry.push('acme/secret', 'v1');
    registry.deny('acme/secret');
    const err = await client()
      .resolve(`${registry.host}/acme/secret`, 'v1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'registry_failed',
      message: expect.stringContaining('HTTP 403'),
      hint: expect.stringContaining(`registries.${registry.host}.token`),
    });
  });

  it('passes on how long a rate-limiting registry asks it to wait', async () => {
    registry.push('acme/busy', 'v1');
    registry.rateLimit(1, 42);
    const err = await client()
      .resolve(`${registry.host}/acme/busy`, 'v1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'registry_failed',
      message: expect.stringContaining('rate-limiting'),
      hint: 'Try again in 42 seconds.',
    });
  });

  it('refuses a schema 1 manifest and a body whose mediaType is not its Content-Type', async () => {
    const v1 = '{"schemaVersion":1,"name":"acme/old","tag":"v1"}';
    const listBody =
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
    const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
    nock('https://legacy.example.com')
      .get('/v2/acme/old/manifests/v1')
      .reply(200, v1, {
        'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
        'docker-content-digest': digestOf(v1),
      })
      .get('/v2/acme/odd/manifests/v1')
      .reply(200, listBody, {
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
        'docker-content-digest': digestOf(listBody),
      });
    const legacy = createRegistryClient({ registries: {}, log });
    await expect(legacy.resolve('legacy.example.com/acme/old', 'v1')).rejects.toMatchObject({
      code: 'registry_failed',
      message: expect.stringContaining('application/vnd.docker.distribution.manifest.v1+prettyjws'),
    });
    await expect(legacy.resolve('legacy.example.com/acme/odd', 'v1')).rejects.toMatchObject({
      code: 'registry_failed',
      message: expect.stringContaining('does not match its Content-Type'),
    });
  });

  it("repeats the registry's own words escaped, so they cannot ping the channel", async () => {
    nock('https://hostile.example.com')
      .get('/v2/acme/app/manifests/v1')
      .reply(500, { errors: [{ code: 'UNKNOWN', message: '<!channel> *down*', detail: null }] })
      .get('/v2/acme/app/manifests/v1')
      .times(2)
      .reply(500, { errors: [{ code: 'UNKNOWN', message: '<!channel> *down*', detail: null }] });
    const err = await createRegistryClient({ registries: {}, log })
      .resolve('hostile.example.com/acme/app', 'v1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'registry_failed',
      message: expect.stringContaining('&lt;!channel&gt;'),
    });
    expect((err as Error).message).not.toContain('<!channel>');
  });
});
