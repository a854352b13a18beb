import { escapeText } from '../render/format.js';
import { scrub } from '../secrets.js';

/**
 * Reading what a registry answered (OCI distribution spec): the `{errors:[{code,
 * message, detail}]}` body of a 4xx, the `Retry-After` of a 429, and whether a manifest
 * is one dockside can pin by digest.
 */

/** Every manifest kind a tag can point at; without them registries answer 404 or a v1 manifest. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;
export const MANIFEST_ACCEPT = MANIFEST_TYPES.join(', ');

export interface RegistryProblem {
  /** The spec's code (NAME_UNKNOWN, MANIFEST_UNKNOWN, DENIED, ...), when the body had one. */
  code?: string;
  /** The registry's own words, scrubbed, short and escaped for Slack. */
  said?: string;
}

/** The first error of a registry's error body; a body in another format gives nothing. */
export async function readProblem(res: Response): Promise<RegistryProblem> {
  const text = await res.text().catch(() => '');
  let first: unknown;
  try {
    first = (JSON.parse(text) as { errors?: unknown[] }).errors?.[0];
  } catch {
    return {};
  }
  if (first === null || typeof first !== 'object') return {};
  const { code, message } = first as { code?: unknown; message?: unknown };
  const out: RegistryProblem = {};
  if (typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code)) out.code = code;
  if (typeof message === 'string' && message.trim()) {
    const clean = scrub(message.trim().replace(/\s+/g, ' '));
    out.said = escapeText(clean.length > 200 ? `${clean.slice(0, 197)}...` : clean);
  }
  return out;
}

/** `Retry-After` in seconds (a number or an HTTP date), undefined when absent or unreadable. */
export function retryAfterSeconds(res: Response, now = Date.now()): number | undefined {
  const raw = res.headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * Why a manifest cannot be pinned, or undefined when it can: its type must be one dockside
 * asked for (a schema 1 manifest's digest is not what docker pulls by), and a `mediaType`
 * in the body must agree with the Content-Type (the spec tells clients to refuse
 * otherwise). A registry that sends no Content-Type is judged by the body alone.
 */
export function manifestProblem(contentType: string | null, body: Buffer): string | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim() || undefined;
  let mediaType: unknown;
  try {
    mediaType = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType;
  } catch {
    return 'its manifest is not JSON';
  }
  const known = (t: unknown) => (MANIFEST_TYPES as readonly unknown[]).includes(t);
  const kind = type ?? mediaType;
  if (kind !== undefined && !known(kind)) {
    return `its manifest is of type ${escapeText(String(kind))}, not one dockside can pin by digest`;
  }
  if (type !== undefined && mediaType !== undefined && mediaType !== type) {
    return `its manifest's mediaType does not match its Content-Type (${type})`;
  }
  return undefined;
}
