import type { AppSpec, ComponentSpec, Deployment, GitSource, ImageSource } from '../../src/do/port.js';

/**
 * What a deployment runs, component by component: the one fact promotion, rollback
 * listings and verification all compare. Git components are identified by the
 * commit DigitalOcean built (the spec has no commit field), image components by
 * the digest in the deployment's own spec (a tag can move under us).
 */

export const COMPONENT_TYPES = ['services', 'workers', 'jobs', 'static_sites'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export const GIT_PROVIDERS = ['github', 'gitlab', 'bitbucket', 'git'] as const;
export type GitProvider = (typeof GIT_PROVIDERS)[number];

export type ComponentRun =
  | {
      kind: 'git';
      name: string;
      type: ComponentType;
      provider: GitProvider;
      source: GitSource;
      /** Absent when DigitalOcean did not report it. */
      commit?: string;
    }
  | {
      kind: 'image';
      name: string;
      type: ComponentType;
      source: ImageSource;
      /** e.g. ghcr.io/acme/worker, without tag or digest. */
      image: string;
      digest?: string;
      tag?: string;
    }
  | { kind: 'unknown'; name: string; type: ComponentType };

export function specComponents(spec: AppSpec): Array<{ type: ComponentType; component: ComponentSpec }> {
  const out: Array<{ type: ComponentType; component: ComponentSpec }> = [];
  for (const type of COMPONENT_TYPES) {
    for (const component of spec[type] ?? []) out.push({ type, component });
  }
  return out;
}

export function imageName(source: ImageSource): string {
  const path = [source.registry, source.repository].filter(Boolean).join('/');
  switch (source.registry_type) {
    case 'DOCR':
      return `registry.digitalocean.com/${path}`;
    case 'GHCR':
      return `ghcr.io/${path}`;
    case 'DOCKER_HUB':
      return `docker.io/${path}`;
    default:
      return path;
  }
}

/** Per-component runs of a deployment; needs the deployment's spec to know sources. */
export function componentRuns(deployment: Deployment, spec: AppSpec | undefined): ComponentRun[] {
  const commits = new Map(deployment.components.map((c) => [c.name, c.sourceCommitHash]));
  if (!spec) {
    // Without a spec only the commits DO reported are known; enough for a listing.
    return deployment.components.map((c) =>
      c.sourceCommitHash
        ? {
            kind: 'git',
            name: c.name,
            type: 'services',
            provider: 'git',
            source: {},
            commit: c.sourceCommitHash,
          }
        : { kind: 'unknown', name: c.name, type: 'services' },
    );
  }
  return specRuns(spec, commits);
}

/** Runs as a spec describes them; commits come from a deployment, when there is one. */
export function specRuns(
  spec: AppSpec,
  commits: ReadonlyMap<string, string | undefined> = new Map(),
): ComponentRun[] {
  return specComponents(spec).map(({ type, component }): ComponentRun => {
    const { name } = component;
    if (component.image) {
      const source = component.image;
      return {
        kind: 'image',
        name,
        type,
        source,
        image: imageName(source),
        ...(source.digest ? { digest: source.digest } : {}),
        ...(source.tag ? { tag: source.tag } : {}),
      };
    }
    for (const provider of GIT_PROVIDERS) {
      const source = component[provider];
      if (source) {
        const commit = commits.get(name);
        return { kind: 'git', name, type, provider, source, ...(commit ? { commit } : {}) };
      }
    }
    return { kind: 'unknown', name, type };
  });
}

/** The identity of what a component runs, as stored in bindings: `git:<sha>` or `image:<digest>`. */
export function runIdentity(run: ComponentRun): string | undefined {
  if (run.kind === 'git') return run.commit ? `git:${run.commit}` : undefined;
  if (run.kind === 'image') return run.digest ? `image:${run.digest}` : undefined;
  return undefined;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** `sha256:0123456789ab…`: enough to recognise, short enough for a line in Slack. */
export function shortDigest(digest: string): string {
  const [algo, hex] = digest.includes(':') ? digest.split(':', 2) : ['sha256', digest];
  return hex && hex.length > 12 ? `${algo}:${hex.slice(0, 12)}…` : digest;
}

/** One short phrase for what a component runs: `commit 9a4df0b`, `ghcr.io/acme/api@sha256:…`. */
export function describeRun(run: ComponentRun): string {
  if (run.kind === 'git') return run.commit ? `commit ${shortSha(run.commit)}` : 'unknown commit';
  if (run.kind === 'image') {
    if (run.digest) return `${run.image}@${shortDigest(run.digest)}`;
    if (run.tag) return `${run.image}:${run.tag} (tag)`;
    return run.image;
  }
  return 'unknown source';
}
