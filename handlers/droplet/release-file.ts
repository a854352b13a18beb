import type { DropletsConfig } from '../../src/config/schema.js';
import { pinned } from '../../src/registry/image.js';
import type { Release, ServiceImage } from '../deploy/target.js';

/**
 * The release file compose reads (--env-file): a comment naming the release, then
 * one `VARIABLE=repository@sha256:...` line per service, always by digest.
 */
export function renderReleaseFile(config: DropletsConfig, release: Release): string {
  const lines = [`# dockside release ${release.id}`];
  for (const [service, spec] of Object.entries(config.services)) {
    const image = release.services.find((s) => s.service === service);
    if (!image) throw new Error(`release ${release.id} has no image for service ${service}`);
    lines.push(`${spec.variable}=${pinned(spec.image, image.digest)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface ParsedReleaseFile {
  id?: string;
  services: ServiceImage[];
}

/** Reads a release file back; lines it does not recognise are ignored. */
export function parseReleaseFile(config: DropletsConfig, text: string): ParsedReleaseFile {
  const id = /^# dockside release (\S+)$/m.exec(text)?.[1];
  const services: ServiceImage[] = [];
  for (const [service, spec] of Object.entries(config.services)) {
    const line = text.split('\n').find((l) => l.startsWith(`${spec.variable}=`));
    const digest = line ? /@(sha256:[a-f0-9]{64})$/.exec(line.trim())?.[1] : undefined;
    if (digest) services.push({ service, image: spec.image, digest });
  }
  return { ...(id ? { id } : {}), services };
}

/** Digest per service, for comparing hosts and releases. */
export function digestsOf(services: ServiceImage[]): Record<string, string> {
  return Object.fromEntries(services.map((s) => [s.service, s.digest]));
}

export function sameDigests(a: ServiceImage[], b: ServiceImage[]): boolean {
  const x = digestsOf(a);
  const y = digestsOf(b);
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].every((k) => x[k] !== undefined && x[k] === y[k]);
}
