/**
 * The checks DigitalOcean's App Platform makes on a spec sent with `PUT /v2/apps/{id}`,
 * as far as dockside can get them wrong (apps/models/apps_image_source_spec.yml and
 * app_spec.yml of DigitalOcean's OpenAPI description). A refusal is a 400 with DO's
 * error body; nothing changes and no deployment starts.
 */
import type { AppSpec } from '../../do/port.js';
import { componentsOf, GIT_KEYS, SimHttpError } from './types.js';

const REGISTRY_TYPES = new Set(['DOCKER_HUB', 'DOCR', 'GHCR']);

interface ImageSpec {
  registry_type?: unknown;
  tag?: unknown;
  digest?: unknown;
  deploy_on_push?: { enabled?: unknown };
}

function refuse(message: string): never {
  throw new SimHttpError(400, 'bad_request', message);
}

export function validateSpec(spec: unknown): asserts spec is AppSpec {
  if (!spec || typeof spec !== 'object') refuse('spec is required');
  const s = spec as AppSpec;
  if (typeof s.name !== 'string' || !/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(s.name)) {
    refuse('spec.name must be 2-32 lowercase letters, digits and dashes, starting with a letter');
  }
  const names = new Set<string>();
  for (const c of componentsOf(s)) {
    if (typeof c.name !== 'string' || c.name === '') refuse('every component needs a name');
    if (names.has(c.name)) refuse(`component name "${c.name}" is used twice`);
    names.add(c.name);
    const sources = [c.image ? 'image' : undefined, ...GIT_KEYS.filter((k) => c[k])].filter(Boolean);
    if (sources.length > 1) refuse(`component "${c.name}" has more than one source (${sources.join(', ')})`);
    if (c.image) validateImage(c.name, c.image as ImageSpec);
  }
}

function validateImage(component: string, image: ImageSpec): void {
  const where = `component "${component}": image`;
  if (image.registry_type !== undefined && !REGISTRY_TYPES.has(String(image.registry_type))) {
    refuse(`${where}: registry_type must be one of DOCKER_HUB, DOCR, GHCR`);
  }
  if (image.tag && image.digest) refuse(`${where}: tag cannot be specified if digest is provided`);
  if (image.deploy_on_push?.enabled === true) {
    if (image.digest) {
      refuse(`${where}: deploy_on_push can only be used with an image tag, not a specific digest`);
    }
    if (image.registry_type !== 'DOCR') {
      refuse(`${where}: deploy_on_push can only be used for images hosted in DOCR`);
    }
  }
}
