import { createHash, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MANIFEST_TYPES, type ManifestType } from './fake-registry-manifests.js';

/**
 * A small OCI registry for tests and the sandbox, held to the distribution spec
 * (github:opencontainers/distribution-spec, spec.md): `GET`/`HEAD
 * /v2/<name>/manifests/<tag-or-digest>` with `Docker-Content-Digest`, `Content-Type` and
 * `Content-Length`, a manifest served only to an `Accept` that lists its media type,
 * 4xx bodies `{errors:[{code,message,detail}]}`, and, when a token is set, GHCR's
 * handshake: a 401 with `WWW-Authenticate: Bearer realm,service,scope`, then
 * `GET /token?service&scope` with Basic auth (any user, the token as password) gives a
 * bearer token for that repository only, which expires.
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
  /** Points `name:tag` at a new manifest (an OCI index unless told otherwise) and returns its digest. */
  push(name: string, tag: string, options?: { mediaType?: ManifestType }): string;
  digestOf(name: string, tag: string): string | undefined;
  /** Sends a Docker-Content-Digest that does not match the body (a broken or hostile registry). */
  lieAboutDigests(on: boolean): void;
  /** The token works, but this repository is not shared with it: 403 DENIED, as GHCR answers. */
  deny(name: string): void;
  /** Every bearer token issued so far stops working (they are short-lived on GHCR). */
  expireTokens(): void;
  /** The next `count` manifest requests get 429 TOOMANYREQUESTS with `Retry-After`. */
  rateLimit(count: number, retryAfterSeconds: number): void;
  /** Manifest GETs are redirected (307) to `origin` + the same path, as a registry behind a CDN may. */
  redirectManifests(origin: string | undefined): void;
  requests(): RegistryRequest[];
  close(): Promise<void>;
}

const SERVICE = 'fake-registry';
/** spec.md: the `<name>` grammar. */
const NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

function errorBody(code: string, message: string, detail: unknown = null): string {
  return JSON.stringify({ errors: [{ code, message, detail }] });
}

/** Media types an `Accept` header lists (parameters such as `q=` dropped). */
function accepted(header: string): string[] {
  return header
    .split(',')
    .map((part) => part.split(';')[0]?.trim() ?? '')
    .filter(Boolean);
}

export async function startFakeRegistry(options: { token?: string } = {}): Promise<FakeRegistry> {
  const manifests = new Map<string, { body: string; mediaType: ManifestType }>();
  const tags = new Map<string, string>();
  const repositories = new Set<string>();
  /** bearer token -> the repository it may pull. */
  const issued = new Map<string, string>();
  const denied = new Set<string>();
  const log: RegistryRequest[] = [];
  let lie = false;
  let limited = { count: 0, retryAfter: 0 };
  let redirectTo: string | undefined;

  const challenge = (scope?: string) =>
    `Bearer realm="http://${host}/token",service="${SERVICE}"${scope ? `,scope="${scope}"` : ''}`;

  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://registry.local');
    const auth = req.headers.authorization ?? '';
    const method = req.method ?? 'GET';
    const entry: RegistryRequest = {
      method,
      path: url.pathname,
      accept: req.headers.accept ?? '',
      authorization: auth.startsWith('Basic ') ? 'basic' : auth.startsWith('Bearer ') ? 'bearer' : 'none',
      status: 0,
    };
    log.push(entry);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      });
      // HEAD: the same headers as GET, Content-Length included, and no body.
      res.end(method === 'HEAD' ? undefined : body);
    };
    const bearer = auth.replace(/^Bearer /, '');

    if (url.pathname === '/token') {
      const [user, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (options.token && (!user || password !== options.token)) {
        return answer(401, errorBody('UNAUTHORIZED', 'authentication required'));
      }
      const scope = /^repository:(.+):pull$/.exec(url.searchParams.get('scope') ?? '');
      if (url.searchParams.get('service') !== SERVICE || !scope) {
        return answer(400, errorBody('UNSUPPORTED', 'service and a repository pull scope are required'));
      }
      const token = `regtok-${randomBytes(12).toString('hex')}`;
      issued.set(token, scope[1] as string);
      return answer(200, JSON.stringify({ token, expires_in: 300 }));
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (options.token && !issued.has(bearer)) {
        return answer(401, errorBody('UNAUTHORIZED', 'authentication required'), {
          'www-authenticate': challenge(),
        });
      }
      return answer(200, '{}');
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m || (method !== 'GET' && method !== 'HEAD')) {
      return answer(404, errorBody('UNSUPPORTED', 'the operation is unsupported'));
    }
    const [, name = '', ref = ''] = m;
    if (!NAME.test(name)) return answer(400, errorBody('NAME_INVALID', 'invalid repository name', { name }));
    const scope = `repository:${name}:pull`;
    if (options.token && issued.get(bearer) !== name) {
      const why = issued.has(bearer) ? ',error="insufficient_scope"' : '';
      return answer(
        401,
        errorBody('UNAUTHORIZED', 'authentication required', [
          { Type: 'repository', Name: name, Action: 'pull' },
        ]),
        { 'www-authenticate': `${challenge(scope)}${why}` },
      );
    }
    if (redirectTo) return answer(307, '', { location: `${redirectTo}${url.pathname}` });
    if (limited.count > 0) {
      limited.count -= 1;
      return answer(429, errorBody('TOOMANYREQUESTS', 'too many requests'), {
        'retry-after': String(limited.retryAfter),
      });
    }
    if (denied.has(name))
      return answer(403, errorBody('DENIED', 'requested access to the resource is denied'));
    if (!repositories.has(name)) {
      return answer(404, errorBody('NAME_UNKNOWN', 'repository name not known to registry', { name }));
    }
    const digest = ref.startsWith('sha256:') ? ref : tags.get(`${name}:${ref}`);
    const manifest = digest ? manifests.get(`${name}@${digest}`) : undefined;
    if (!digest || !manifest) {
      return answer(404, errorBody('MANIFEST_UNKNOWN', 'manifest unknown', { Tag: ref }));
    }
    if (!accepted(entry.accept).includes(manifest.mediaType)) {
      // What distribution answers a client that cannot take the kind of manifest the tag points at.
      return answer(
        404,
        errorBody(
          'MANIFEST_UNKNOWN',
          `manifest is a ${manifest.mediaType}, which the Accept header does not list`,
          { mediaType: manifest.mediaType },
        ),
      );
    }
    const sent = lie ? `sha256:${'0'.repeat(64)}` : digest;
    return answer(200, manifest.body, { 'content-type': manifest.mediaType, 'docker-content-digest': sent });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    url: `http://${host}`,
    push(name, tag, pushOptions = {}) {
      const mediaType = pushOptions.mediaType ?? 'application/vnd.oci.image.index.v1+json';
      const body = JSON.stringify(MANIFEST_TYPES[mediaType]());
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      repositories.add(name);
      manifests.set(`${name}@${digest}`, { body, mediaType });
      tags.set(`${name}:${tag}`, digest);
      return digest;
    },
    digestOf: (name, tag) => tags.get(`${name}:${tag}`),
    lieAboutDigests: (on) => {
      lie = on;
    },
    deny: (name) => denied.add(name),
    expireTokens: () => issued.clear(),
    rateLimit: (count, retryAfter) => {
      limited = { count, retryAfter };
    },
    redirectManifests: (origin) => {
      redirectTo = origin;
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
