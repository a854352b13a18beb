import { DocksideError } from '../errors.js';
import { escapeText } from '../render/format.js';

/** An image repository split the way the registry API needs it. */
export interface ImageName {
  /** `ghcr.io`, `registry.example.com:5000`. */
  registry: string;
  /** `acme/vulcan/backend`. */
  name: string;
}

export const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function parseImage(repository: string): ImageName {
  const slash = repository.indexOf('/');
  const registry = repository.slice(0, slash);
  // Docker's rule: the first part names a registry only when it has a dot or a port.
  if (slash <= 0 || !/[.:]/.test(registry)) {
    throw new DocksideError('config_invalid', `${repository} does not name its registry (e.g. ghcr.io/...).`);
  }
  return { registry, name: repository.slice(slash + 1) };
}

/** Tags come from people typing in Slack: only Docker's tag grammar gets through. */
export function assertTag(tag: string): string {
  if (TAG.test(tag)) return tag;
  throw new DocksideError('usage', `\`${escapeText(tag.slice(0, 60), 'code')}\` is not an image tag.`, {
    hint: 'A tag has letters, digits, "_", "." and "-" (max 128), e.g. `v1.4.2` or `latest`.',
  });
}

/** `repo@sha256:...`: how a release names an image, immutably. */
export function pinned(repository: string, digest: string): string {
  if (!DIGEST.test(digest)) throw new DocksideError('registry_failed', `${digest} is not a sha256 digest.`);
  return `${repository}@${digest}`;
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
