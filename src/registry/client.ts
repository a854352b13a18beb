import { createHash } from 'node:crypto';
import type { RegistryConfig } from '../config/schema.js';
import { DocksideError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerSecret, scrub } from '../secrets.js';
import { assertTag, DIGEST, parseImage } from './image.js';

/** Every manifest kind a tag can point at; without them registries answer 404 or a v1 manifest. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

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

/**
 * Resolves tags to digests through the registry HTTP API (the OCI distribution spec):
 * `GET /v2/<name>/manifests/<tag>`, answering a 401 challenge with a token from the
 * realm it names (GHCR: Basic auth with the PAT, a short-lived bearer back).
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  for (const r of Object.values(options.registries)) registerSecret(r.token);
  const tokens = new Map<string, string>();

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

  async function token(registry: string, challenge: Record<string, string>, what: string): Promise<string> {
    const key = `${registry} ${challenge.scope ?? ''}`;
    const cached = tokens.get(key);
    if (cached) return cached;
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
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const value = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof value !== 'string' || !value)
      throw failed(`The registry ${registry} answered without a token.`);
    registerSecret(value);
    tokens.set(key, value);
    return value;
  }

  return {
    async resolve(image, tag) {
      assertTag(tag);
      const { registry, name } = parseImage(image);
      const what = `resolve ${image}:${tag}`;
      const url = `${apiBase(registry, options.registries[registry])}/v2/${name}/manifests/${tag}`;
      const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
      let res = await get(url, headers, what);
      const challenge = res.status === 401 ? bearerChallenge(res.headers.get('www-authenticate')) : undefined;
      if (challenge) {
        await res.body?.cancel();
        headers.authorization = `Bearer ${await token(registry, challenge, what)}`;
        res = await get(url, headers, what);
      }
      if (res.status === 404) {
        await res.body?.cancel();
        throw failed(
          `${image}:${tag} does not exist in the registry.`,
          'Check the tag (or push it) and try again.',
        );
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw failed(
          `The registry refused to ${what} (HTTP ${res.status}).`,
          `Check registries.${registry}.token: it needs read access to the package.`,
        );
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw failed(`The registry answered HTTP ${res.status} when asked to ${what}.`);
      }
      const body = Buffer.from(await res.arrayBuffer());
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
