import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDigitalOcean } from '../../src/config/connect/digitalocean.js';
import { Config } from '../../src/config/schema.js';
import { type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';

/** `config check --connect` for Droplet envs, against the DigitalOcean simulator. */
let sim: DoSimulator;
beforeAll(async () => {
  sim = await startDoSimulator({ phaseDelayMs: 20 });
  sim.droplets.addDroplet({
    id: 11,
    name: 'api-1',
    tags: ['api'],
    privateIp: '10.0.0.11',
    publicIp: '203.0.113.11',
  });
  sim.droplets.addLoadBalancer({ id: 'lb-by-id', dropletIds: [11] });
  sim.droplets.addLoadBalancer({ id: 'lb-by-tag', tag: 'api' });
});
afterAll(() => sim?.close());

const dropletEnv = (extra: Record<string, unknown>) => ({
  droplets: {
    user: 'deploy',
    ssh_key: 'key',
    host_keys: ['10.0.0.11 ssh-ed25519 AAAA'],
    compose_file: '/srv/app/compose.yml',
    project: 'app',
    release_file: '/srv/app/release.env',
    services: { backend: { image: 'ghcr.io/acme/app/backend', variable: 'BACKEND_IMAGE' } },
    host_health: { service: 'backend', url: 'http://localhost:8080/health' },
    ...extra,
  },
});

const configWith = (envs: Record<string, Record<string, unknown>>) =>
  Config.parse({ channels: { ops: 'C0123456789' }, apps: { api: { environments: envs } } });

describe('config check --connect: Droplet envs', () => {
  it('lists the tag, reads the load balancer, and fails one that picks Droplets by tag or does not exist', async () => {
    const config = configWith({
      staging: dropletEnv({ tag: 'api', load_balancer_id: 'lb-by-id' }),
      production: dropletEnv({ hosts: ['10.0.0.11'], load_balancer_id: 'lb-by-tag' }),
      qa: dropletEnv({ tag: 'api', load_balancer_id: 'lb-gone' }),
    });
    const findings = await checkDigitalOcean(config, sim.token, sim.url);
    expect(findings.map((f) => [f.level, f.detail])).toEqual([
      ['ok', 'answers (droplet:read, tag:read)'],
      ['ok', 'answers (load_balancer:read)'],
      ['ok', 'answers (droplet:read)'],
      [
        'fail',
        'load balancer lb-by-tag picks its Droplets by tag api, so dockside cannot take one host out at a time',
      ],
      ['ok', 'answers (droplet:read, tag:read)'],
      [
        'fail',
        "404: no load balancer lb-gone in the token's team: check apps.api.environments.qa.droplets.load_balancer_id (doctl compute load-balancer list)",
      ],
    ]);
    expect(findings[3]?.hint).toContain('lists its Droplets by id');
  });
});
