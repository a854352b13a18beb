import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createReleaseLog } from '../../handlers/droplet/release-log.js';
import { systemClock } from '../clock.js';
import {
  SANDBOX_COMPOSE_FILE,
  SANDBOX_RELEASE_FILE,
  type SandboxHost,
  type SandboxHosts,
  startSandboxHosts,
} from './droplet-hosts.js';
import { type FakeRegistry, startFakeRegistry } from './fake-registry.js';

/**
 * The sandbox's Droplet app: `api` with `staging` (2 hosts) and `production` (2 hosts,
 * approval), each host an in-process SSH server with the docker stand-in, and the
 * fake registry serving ghcr.io/acme/vulcan/backend and /frontend. The hosts start on
 * release `v1`; `latest` is a newer build, so `/deploy api staging` has something to do.
 */
export const SANDBOX_DROPLET_SERVICES = ['backend', 'frontend'] as const;
export type Digests = Record<(typeof SANDBOX_DROPLET_SERVICES)[number], string>;

export interface SandboxDroplets {
  hosts: SandboxHosts;
  staging: SandboxHost[];
  production: SandboxHost[];
  registry: FakeRegistry;
  /** The registry token and SSH key, given to the config as ${GHCR_TOKEN} and ${DROPLET_SSH_KEY}. */
  env: { GHCR_TOKEN: string; DROPLET_SSH_KEY: string };
  /** Pushes both images under a tag; returns their digests. */
  push(tag: string): Digests;
  /** The release every host starts on. */
  seeded: { id: string; tag: string; digests: Digests };
  /** YAML of the `api` app, indented to go under `apps:`. */
  appYaml(options?: { healthBaseUrl?: string; hostHealthMs?: number }): string;
  /** The top-level `registries:` section. */
  registriesYaml(): string;
  /** Writes the seeded release into an env's release log, so /health can name its tag. */
  logSeededRelease(redis: Redis): Promise<void>;
  close(): Promise<void>;
}

/** ghcr.io/acme/vulcan/<service>: the names the runbook uses; the registry's api_url points at the fake. */
export const sandboxImage = (service: string) => `ghcr.io/acme/vulcan/${service}`;

export async function startSandboxDroplets(): Promise<SandboxDroplets> {
  const token = `ghp_sandbox${randomBytes(12).toString('hex')}`;
  const [hosts, registry] = await Promise.all([startSandboxHosts(4), startFakeRegistry({ token })]);
  const push = (tag: string): Digests => ({
    backend: registry.push('acme/vulcan/backend', tag),
    frontend: registry.push('acme/vulcan/frontend', tag),
  });
  const v1 = push('v1');
  push('latest');
  const seeded = { id: 'sandbox-v1', tag: 'v1', digests: v1 };
  const releaseFile =
    `# dockside release ${seeded.id}\n` +
    `BACKEND_IMAGE=${sandboxImage('backend')}@${v1.backend}\n` +
    `FRONTEND_IMAGE=${sandboxImage('frontend')}@${v1.frontend}\n`;
  for (const host of hosts.hosts) host.seed(releaseFile);
  const staging = hosts.hosts.slice(0, 2);
  const production = hosts.hosts.slice(2, 4);

  const envYaml = (list: SandboxHost[], extra: string, healthMs: number) =>
    [
      '        droplets:',
      `          hosts: [${list.map((h) => h.address).join(', ')}]`,
      `          user: ${hosts.user}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dockside.yml's own ${VAR} syntax
      '          ssh_key: ${DROPLET_SSH_KEY}',
      `          host_keys: [${list.map((h) => JSON.stringify(h.hostKeyLine)).join(', ')}]`,
      `          compose_file: ${SANDBOX_COMPOSE_FILE}`,
      '          project: vulcan',
      `          release_file: ${SANDBOX_RELEASE_FILE}`,
      '          services:',
      `            backend:  { image: ${sandboxImage('backend')},  variable: BACKEND_IMAGE }`,
      `            frontend: { image: ${sandboxImage('frontend')}, variable: FRONTEND_IMAGE }`,
      '          migrate: { service: backend, command: "alembic upgrade head" }',
      '          host_health: { service: backend, url: "http://127.0.0.1:8000/api/v1/utils/health-check/" }',
      `          timeouts: { connect_ms: 5000, command_ms: 60000, health_ms: ${healthMs} }`,
      ...extra.split('\n').filter(Boolean),
    ].join('\n');

  return {
    hosts,
    staging,
    production,
    registry,
    env: { GHCR_TOKEN: token, DROPLET_SSH_KEY: hosts.privateKey },
    push,
    seeded,
    appYaml(options = {}) {
      // Short: an unhealthy host in the session is given up on after 5 s, not 2 minutes.
      const healthMs = options.hostHealthMs ?? 5000;
      const health = (env: string) =>
        options.healthBaseUrl ? `        health_url: ${options.healthBaseUrl}/api-${env}\n` : '';
      return [
        '  api:',
        '    environments:',
        '      staging:',
        envYaml(staging, health('staging'), healthMs),
        '      production:',
        envYaml(production, `${health('production')}        approval: true`, healthMs),
        '    promote: { from: staging, to: production }',
        '',
      ].join('\n');
    },
    registriesYaml: () => `registries:\n  ghcr.io: { token: "\${GHCR_TOKEN}", api_url: ${registry.url} }\n`,
    async logSeededRelease(redis) {
      const log = createReleaseLog({ redis, clock: systemClock });
      const services = SANDBOX_DROPLET_SERVICES.map((service) => ({
        service,
        image: sandboxImage(service),
        digest: v1[service],
        tag: seeded.tag,
      }));
      const at = new Date(systemClock.now()).toISOString();
      await Promise.all(
        ['staging', 'production'].map(async (env) => {
          await log.start('api', env, {
            id: seeded.id,
            services,
            kind: 'deploy',
            by: 'dockside',
            at,
            outcome: 'started',
          });
          await log.finish('api', env, seeded.id, 'succeeded');
        }),
      );
    },
    async close() {
      await Promise.all([hosts.close(), registry.close()]);
    },
  };
}
