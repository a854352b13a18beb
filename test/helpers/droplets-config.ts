/**
 * A Droplet env's config for tests that only parse commands or build targets: one host,
 * nothing reachable. Tests that talk to hosts use droplet-world.ts instead.
 */
export const unreachableDroplets = {
  hosts: ['10.0.0.5'],
  user: 'deploy',
  ssh_key: 'key',
  host_keys: ['10.0.0.5 ssh-ed25519 AAAA'],
  compose_file: '/opt/c.yml',
  project: 'vulcan',
  release_file: '/opt/release.env',
  services: { backend: { image: 'ghcr.io/acme/vulcan/backend', variable: 'BACKEND_IMAGE' } },
  host_health: { service: 'backend', url: 'http://127.0.0.1:8000/health' },
};
