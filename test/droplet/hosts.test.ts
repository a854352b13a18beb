import { describe, expect, it } from 'vitest';
import { resolveHosts } from '../../handlers/droplet/hosts.js';
import { DropletsConfig } from '../../src/config/schema.js';
import type { DropletApi } from '../../src/do/droplets.js';

const config = DropletsConfig.parse({
  tag: 'api-prod',
  user: 'deploy',
  ssh_key: 'key',
  host_keys: ['10.0.0.1 ssh-ed25519 AAAA'],
  compose_file: '/srv/app/compose.yml',
  project: 'app',
  release_file: '/srv/app/release.env',
  services: { backend: { image: 'ghcr.io/acme/app/backend', variable: 'BACKEND_IMAGE' } },
  host_health: { service: 'backend', url: 'http://localhost:8080/health' },
});

const api = (name: string): DropletApi => ({
  listDroplets: async () => [{ id: 7, name, publicIp: '203.0.113.7' }],
  addToLoadBalancer: async () => {},
  removeFromLoadBalancer: async () => {},
});

describe('hosts of a Droplet env by tag', () => {
  it("repeats a Droplet's name from DigitalOcean escaped, so it cannot ping the channel", async () => {
    const err = await resolveHosts(config, api('<!channel> *web*')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'deploy_failed' });
    expect((err as Error).message).toContain('&lt;!channel&gt;');
    expect((err as Error).message).not.toContain('<!channel>');
  });
});
