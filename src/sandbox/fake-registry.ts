import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OCI registry for tests and the sandbox: tags point at manifests, manifests
 * are served by tag or digest with `Docker-Content-Digest`, and, when a token is set,
 * GHCR's handshake: a 401 with a Bearer challenge, then `GET /token` with Basic auth
 * (any user, the token as password) gives the bearer token the manifests need.
 */
export interface RegistryRequest {
  method: string;
  path: string;
  accept: string;
  authorization: 'none' | 'basic' | 'bearer';
  status: number;
}

export interface FakeRegistry {
  /** `127.0.0.1:PORT`: the registry part of image names. */
  host: string;
  url: string;
  /** Points `name:tag` at a new manifest and returns its digest. */
  push(name: string, tag: string): string;
  digestOf(name: string, tag: string): string | undefined;
  /** Sends a Docker-Content-Digest that does not match the body (a broken or hostile registry). */
  lieAboutDigests(on: boolean): void;
  requests(): RegistryRequest[];
  close(): Promise<void>;
}

const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

export async function startFakeRegistry(options: { token?: string } = {}): Promise<FakeRegistry> {
  const manifests = new Map<string, string>();
  const tags = new Map<string, string>();
  const issued = new Set<string>();
  const log: RegistryRequest[] = [];
  let lie = false;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry.local');
    const auth = req.headers.authorization ?? '';
    const entry: RegistryRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      accept: req.headers.accept ?? '',
      authorization: auth.startsWith('Basic ') ? 'basic' : auth.startsWith('Bearer ') ? 'bearer' : 'none',
      status: 0,
    };
    log.push(entry);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    };
    if (url.pathname === '/token') {
      const [user, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (options.token && (!user || password !== options.token)) return answer(401, '{"errors":[]}');
      const token = `regtok-${randomBytes(12).toString('hex')}`;
      issued.add(token);
      return answer(200, JSON.stringify({ token }));
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m) return answer(404, '{"errors":[{"code":"NOT_FOUND"}]}');
    const [, name = '', ref = ''] = m;
    if (options.token && !issued.has(auth.replace(/^Bearer /, ''))) {
      const realm = `http://${host}/token`;
      return answer(401, '{"errors":[{"code":"UNAUTHORIZED"}]}', {
        'www-authenticate': `Bearer realm="${realm}",service="fake-registry",scope="repository:${name}:pull"`,
      });
    }
    if (!entry.accept.includes(INDEX_TYPE)) return answer(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    const digest = ref.startsWith('sha256:') ? ref : tags.get(`${name}:${ref}`);
    const body = digest ? manifests.get(`${name}@${digest}`) : undefined;
    if (!digest || !body) return answer(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    const sent = lie ? `sha256:${'0'.repeat(64)}` : digest;
    return answer(200, body, { 'content-type': INDEX_TYPE, 'docker-content-digest': sent });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    url: `http://${host}`,
    push(name, tag) {
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX_TYPE,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${randomBytes(32).toString('hex')}`,
            size: 1234,
            platform: { architecture: 'amd64', os: 'linux' },
          },
        ],
      });
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      manifests.set(`${name}@${digest}`, body);
      tags.set(`${name}:${tag}`, digest);
      return digest;
    },
    digestOf: (name, tag) => tags.get(`${name}:${tag}`),
    lieAboutDigests: (on) => {
      lie = on;
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
