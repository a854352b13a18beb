import { createHash } from 'node:crypto';
import type { RegistryConfig } from '../config/schema.js';
import { DocksideError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerSecret, scrub } from '../secrets.js';
import { MANIFEST_ACCEPT, manifestProblem, readProblem, retryAfterSeconds } from './answers.js';
import { assertTag, DIGEST, parseImage } from './image.js';

export { MANIFEST_ACCEPT } from './answers.js';

export interface RegistryClientOptions {
  registries: Record<string, RegistryConfig>;
  log: Logger;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RegistryClient {
  /** The digest `image:tag` points at now. */
  resolve(image: string, tag: string): Promise<string>;
}

/** `Bearer realm="...",service="...",scope="..."` -> its parameters. */
function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1] as string] = m[2] as string;
  return params.realm ? params : undefined;
}

function apiBase(registry: string, config: RegistryConfig | undefined): string {
  if (config?.api_url) return config.api_url.replace(/\/+$/, '');
  // As docker does, a registry on this machine speaks plain HTTP; every other one TLS.
  const local = /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(registry);
  return `${local ? 'http' : 'https'}://${registry}`;
}

/** What a registry's refusal of a manifest request means, in words for the person. */
async function refusal(
  res: Response,
  registry: string,
  image: string,
  tag: string,
  what: string,
): Promise<DocksideError> {
  const problem = await readProblem(res);
  const said = problem.said ? `: ${problem.said}` : '';
  const failed = (message: string, hint?: string) =>
    new DocksideError('registry_failed', scrub(message), hint ? { hint } : {});
  if (res.status === 404 && problem.code === 'NAME_UNKNOWN') {
    return failed(
      `The repository ${image} does not exist in the registry, or its token cannot see it.`,
      `Check the image in dockside.yml and that registries.${registry}.token may read it.`,
    );
  }
  if (res.status === 404) {
    return failed(
      `${image}:${tag} does not exist in the registry.`,
      'Check the tag (or push it) and try again.',
    );
  }
  if (res.status === 401 || res.status === 403) {
    return failed(
      `The registry refused to ${what} (HTTP ${res.status})${said}.`,
      `Check registries.${registry}.token: it needs read access to the package.`,
    );
  }
  if (res.status === 429) {
    const wait = retryAfterSeconds(res);
    return failed(
      `The registry ${registry} is rate-limiting dockside, so it could not ${what}.`,
      wait === undefined ? 'Try again in a minute.' : `Try again in ${Math.max(1, wait)} seconds.`,
    );
  }
  return failed(`The registry answered HTTP ${res.status} when asked to ${what}${said}.`);
}

/**
 * Resolves tags to digests through the registry HTTP API (the OCI distribution spec):
 * `GET /v2/<name>/manifests/<tag>`, answering a 401 challenge with a token from the
 * realm it names (GHCR: Basic auth with the PAT, a short-lived bearer back).
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  for (const r of Object.values(options.registries)) registerSecret(r.token);
  /** Bearer tokens by repository (`registry/name`: one pull scope each), until they expire. */
  const tokens = new Map<string, { value: string; expiresAt: number }>();

  const failed = (message: string, hint?: string) =>
    new DocksideError('registry_failed', scrub(message), hint ? { hint } : {});

  async function get(url: string, headers: Record<string, string>, what: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await doFetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        if (res.status < 500 || attempt >= 2) return res;
        await res.body?.cancel();
      } catch (err) {
        if (attempt >= 2) {
          const why = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'network error';
          throw failed(`Could not reach the registry to ${what}: ${why}.`);
        }
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }

  function cachedToken(key: string): string | undefined {
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    tokens.delete(key);
    return undefined;
  }

  async function token(
    registry: string,
    repository: string,
    challenge: Record<string, string>,
    what: string,
  ): Promise<string> {
    const url = new URL(challenge.realm as string);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    if (challenge.scope) url.searchParams.set('scope', challenge.scope);
    const creds = options.registries[registry];
    const headers: Record<string, string> = {};
    if (creds) {
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.token}`).toString('base64')}`;
    }
    const res = await get(url.toString(), headers, what);
    if (!res.ok) {
      await res.body?.cancel();
      throw failed(
        `The registry ${registry} refused a token to ${what} (HTTP ${res.status}).`,
        creds
          ? `Check registries.${registry}.token: it needs read access to the package (GHCR: read:packages).`
          : `Add registries.${registry}.token to dockside.yml for a private image.`,
      );
    }
    const body = (await res.json().catch(() => ({}))) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const value = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof value !== 'string' || !value)
      throw failed(`The registry ${registry} answered without a token.`);
    registerSecret(value);
    // The token spec's default lifetime is 60 s; a few seconds' margin so it is not used as it dies.
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    tokens.set(repository, {
      value,
      expiresAt: Date.now() + Math.max(0, lifetime - 5) * 1000,
    });
    return value;
  }

  /**
   * The manifest request: with the token kept for the repository when there is one
   * (one request), else through the 401 challenge to a new token; a kept token the
   * registry no longer takes (expired) is dropped and replaced once.
   */
  async function fetchManifest(registry: string, repository: string, url: string, what: string) {
    const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
    const kept = cachedToken(repository);
    const res = await get(url, kept ? { ...headers, authorization: `Bearer ${kept}` } : headers, what);
    const challenge = res.status === 401 ? bearerChallenge(res.headers.get('www-authenticate')) : undefined;
    if (!challenge) return res;
    await res.body?.cancel();
    tokens.delete(repository);
    const fresh = await token(registry, repository, challenge, what);
    return get(url, { ...headers, authorization: `Bearer ${fresh}` }, what);
  }

  return {
    async resolve(image, tag) {
      assertTag(tag);
      const { registry, name } = parseImage(image);
      const what = `resolve ${image}:${tag}`;
      const url = `${apiBase(registry, options.registries[registry])}/v2/${name}/manifests/${tag}`;
      const res = await fetchManifest(registry, `${registry}/${name}`, url, what);
      if (!res.ok) throw await refusal(res, registry, image, tag, what);
      const body = Buffer.from(await res.arrayBuffer());
      const unusable = manifestProblem(res.headers.get('content-type'), body);
      if (unusable) throw failed(`The registry cannot give ${image}:${tag} a usable digest: ${unusable}.`);
      const computed = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const header = res.headers.get('docker-content-digest');
      // The digest deployed must be the one of the bytes we were shown: a header that
      // disagrees with them is refused rather than trusted.
      if (header && header !== computed) {
        throw failed(`The registry's digest for ${image}:${tag} does not match the manifest it sent.`);
      }
      const digest = header ?? computed;
      if (!DIGEST.test(digest)) throw failed(`The registry gave no usable digest for ${image}:${tag}.`);
      options.log.debug({ image, tag, digest }, 'tag resolved');
      return digest;
    },
  };
}
