import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----';

function yaml(env: string, extra = ''): string {
  return `channels: { ops: C0123456789 }
access:
  roles:
    approver: { users: [U0ALICE] }
apps:
  api:
    environments:
      production:
${env}
${extra}`;
}

const droplets = `        droplets:
          hosts: [10.0.0.5, "10.0.0.6:2222"]
          user: deploy
          ssh_key: \${DROPLET_SSH_KEY}
          host_keys: ["10.0.0.5 ssh-ed25519 AAAAC3Nza1", "[10.0.0.6]:2222 ssh-ed25519 AAAAC3Nza2"]
          compose_file: /opt/vulcan/compose/docker-compose.prod.yml
          project: vulcan
          release_file: /opt/vulcan/compose/release.env
          services:
            backend:  { image: ghcr.io/acme/vulcan/backend,  variable: BACKEND_IMAGE }
            frontend: { image: ghcr.io/acme/vulcan/frontend, variable: FRONTEND_IMAGE }
          migrate: { service: backend, command: "alembic upgrade head" }
          host_health: { service: backend, url: http://127.0.0.1:8000/api/v1/utils/health-check/ }
          load_balancer_id: 4de7
        health_url: https://api.example.com/health`;

function problems(text: string): string[] {
  try {
    parseConfig(text, { DROPLET_SSH_KEY: KEY, GHCR_TOKEN: 'ghp_x1234567890' });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('Droplet envs in dockside.yml', () => {
  it('accepts the DESIGN.md example with registries and fills in defaults', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
    const registries = 'registries:\n  ghcr.io: { token: "${GHCR_TOKEN}" }';
    const config = parseConfig(yaml(droplets, registries), {
      DROPLET_SSH_KEY: KEY,
      GHCR_TOKEN: 'ghp_x1234567890',
    });
    const env = config.apps.api?.environments.production;
    expect(env?.droplets).toMatchObject({
      port: 22,
      batch: 1,
      ssh_key: KEY,
      timeouts: { connect_ms: 10_000 },
    });
    expect(config.registries['ghcr.io']).toEqual({ token: 'ghp_x1234567890', username: 'dockside' });
  });

  it('refuses an env with both app_id and droplets, or neither', () => {
    const both = problems(yaml(`        app_id: 6f0e\n${droplets}`));
    expect(both).toContainEqual(
      'apps.api.environments.production.app_id: an environment needs either app_id (App Platform) or droplets (docker compose over SSH), not both',
    );
    expect(problems(yaml('        health_url: https://x.example.com/h'))).toEqual([
      'apps.api.environments.production.app_id: an environment needs either app_id (App Platform) or droplets (docker compose over SSH), not both',
    ]);
  });

  it('names each bad field: a host without host key, an unknown service, hosts and tag together', () => {
    const text = yaml(
      droplets
        .replace('"[10.0.0.6]:2222 ssh-ed25519 AAAAC3Nza2"', '"10.0.0.6 ssh-ed25519 AAAAC3Nza2"')
        .replace('migrate: { service: backend', 'migrate: { service: worker')
        .replace('hosts: [', 'tag: api-prod\n          hosts: ['),
    );
    expect(problems(text)).toEqual(
      expect.arrayContaining([
        'apps.api.environments.production.droplets.hosts: give either hosts or tag (one of them)',
        'apps.api.environments.production.droplets.migrate.service: service "worker" is not in services (backend, frontend)',
        'apps.api.environments.production.droplets.host_keys: no host_keys line for [10.0.0.6]:2222',
      ]),
    );
  });

  it('refuses image names with a tag or without a registry, and relative paths', () => {
    const text = yaml(
      droplets
        .replace('image: ghcr.io/acme/vulcan/backend,', 'image: ghcr.io/acme/vulcan/backend:latest,')
        .replace('release_file: /opt/vulcan/compose/release.env', 'release_file: release.env'),
    );
    const found = problems(text);
    expect(
      found.some((p) => p.startsWith('apps.api.environments.production.droplets.services.backend.image')),
    ).toBe(true);
    expect(found.some((p) => p.startsWith('apps.api.environments.production.droplets.release_file'))).toBe(
      true,
    );
  });
});
