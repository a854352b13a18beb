import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { DropletTarget } from '../../handlers/deploy/target.js';
import { createReleaseLog } from '../../handlers/droplet/release-log.js';
import { createDropletTarget } from '../../handlers/droplet/target.js';
import { checkHealthUrl } from '../../handlers/health/http-check.js';
import { sleep, systemClock } from '../../src/clock.js';
import { Config } from '../../src/config/schema.js';
import { createDropletApi } from '../../src/do/droplets.js';
import { createLogger } from '../../src/logger.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { type FakeRegistry, startFakeRegistry } from '../../src/sandbox/fake-registry.js';
import type { CommandReport } from '../../src/ssh/client.js';
import {
  SIM_COMPOSE_FILE,
  SIM_RELEASE_FILE,
  type SimHost,
  type SshHosts,
  startSshHosts,
} from '../helpers/sshd.js';

/**
 * Droplet envs against real services: sshd per simulated host, the fake registry, the
 * DO simulator (Droplets, load balancers) and Redis. Used by tests and the bench, so
 * nothing here depends on vitest.
 */
export const REGISTRY_TOKEN = 'ghp_fakeRegistryToken0123456789abcdef';

export interface DropletWorld {
  ssh: SshHosts;
  registry: FakeRegistry;
  sim: DoSimulator;
  healthUrl: string;
  healthHits: () => number;
  /** What health_url answers from now on (default 200 {"status":"ok"}). */
  setHealth(status: number, body?: string): void;
  log: string[];
  commands: CommandReport[];
  /** `<registry>/acme/vulcan/<service>`. */
  image(service: 'backend' | 'frontend'): string;
  /** Pushes both services under a tag; returns their digests. */
  push(tag: string): { backend: string; frontend: string };
  /** A release file as dockside writes it, for seeding hosts. */
  releaseFile(digests: { backend: string; frontend: string }, id?: string): string;
  config(envs: Record<string, Record<string, unknown>>): Config;
  dropletsEnv(hosts: SimHost[], extra?: Record<string, unknown>): Record<string, unknown>;
  target(config: Config, env: string): DropletTarget;
  close(): Promise<void>;
}

export async function startDropletWorld(options: { hosts: number; redis: Redis }): Promise<DropletWorld> {
  const ssh = await startSshHosts(options.hosts);
  const registry = await startFakeRegistry({ token: REGISTRY_TOKEN });
  const sim = await startDoSimulator({ phaseDelayMs: 20 });
  let hits = 0;
  let answer = { status: 200, body: '{"status":"ok"}' };
  const health: Server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  const healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`;
  const log: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => log.push(l) } });
  const commands: CommandReport[] = [];
  const image = (service: string) => `${registry.host}/acme/vulcan/${service}`;

  const world: DropletWorld = {
    ssh,
    registry,
    sim,
    healthUrl,
    healthHits: () => hits,
    setHealth: (status, body = '{"status":"down"}') => {
      answer = { status, body };
    },
    log,
    commands,
    image,
    push: (tag) => ({
      backend: registry.push('acme/vulcan/backend', tag),
      frontend: registry.push('acme/vulcan/frontend', tag),
    }),
    releaseFile: (d, id = 'seeded') =>
      `# dockside release ${id}\nBACKEND_IMAGE=${image('backend')}@${d.backend}\nFRONTEND_IMAGE=${image('frontend')}@${d.frontend}\n`,
    config: (envs) =>
      Config.parse({
        channels: { ops: 'C0123456789' },
        apps: { api: { environments: envs, promote: { from: 'staging', to: 'production' } } },
        registries: { [registry.host]: { token: REGISTRY_TOKEN } },
      }),
    dropletsEnv: (hosts, extra = {}) => ({
      hosts: hosts.map((h) => h.address),
      user: ssh.user,
      ssh_key: ssh.privateKey,
      host_keys: hosts.map((h) => h.hostKeyLine),
      compose_file: SIM_COMPOSE_FILE,
      project: 'vulcan',
      release_file: SIM_RELEASE_FILE,
      services: {
        backend: { image: image('backend'), variable: 'BACKEND_IMAGE' },
        frontend: { image: image('frontend'), variable: 'FRONTEND_IMAGE' },
      },
      migrate: { service: 'backend', command: 'alembic upgrade head' },
      host_health: { service: 'backend', url: 'http://127.0.0.1:8000/api/v1/utils/health-check/' },
      timeouts: { connect_ms: 5000, command_ms: 20_000, health_ms: 1500 },
      ...extra,
    }),
    target(config, env) {
      const envConfig = config.apps.api?.environments[env];
      if (!envConfig) throw new Error(`no env ${env} in the test config`);
      return createDropletTarget(
        {
          registry: createRegistryClient({ registries: config.registries, log: logger }),
          releases: createReleaseLog({ redis: options.redis, clock: systemClock }),
          droplets: createDropletApi({
            token: sim.token,
            endpoint: sim.url,
            retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
          }),
          log: logger,
          clock: systemClock,
          sleep,
          probeHealth: (url) => checkHealthUrl(url, 2000),
          healthPollMs: 100,
          onCommand: (report) => commands.push(report),
        },
        { app: 'api', env, config: envConfig },
      );
    },
    async close() {
      health.closeAllConnections();
      await new Promise((resolve) => health.close(resolve));
      await Promise.all([ssh.close(), registry.close(), sim.close()]);
    },
  };
  return world;
}
