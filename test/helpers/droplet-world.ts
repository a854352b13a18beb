import { afterAll } from 'vitest';
import type { DocksideOptions } from '../../src/app.js';
import type { Config } from '../../src/config/schema.js';
import { sandboxConfig } from '../../src/sandbox/config.js';
import type { FakeMessage } from '../../src/sandbox/fake-slack.js';
import type { World } from '../../src/sandbox/world.js';
import { type DropletWorld, startDropletWorld } from '../droplet/world.js';
import { testRedis } from './redis.js';
import type { SimHost } from './sshd.js';
import { withThread } from './thread.js';
import { testWorld, waitFor } from './world.js';

/**
 * End-to-end tests of Droplet envs through signed requests: the sandbox world (fake
 * Slack, the bot in HTTP mode, sandbox people and grants) with an `api` app whose envs
 * run on real sshd hosts (test/droplet/world.ts), the fake registry and the DO simulator.
 * By default `api staging` runs on the first half of the hosts and `api production` on
 * the second half, with approval.
 */
export interface DropletE2e {
  world: World;
  droplets: DropletWorld;
  config: Config;
  /** The hosts of each env, in rollout order. */
  hostsOf(env: 'staging' | 'production'): SimHost[];
  /**
   * Puts the release of `tag` on the env's hosts as if deployed earlier (pushing both
   * services under it the first time a tag is seeded; later seeds reuse its digests).
   */
  seed(env: 'staging' | 'production', tag: string): { backend: string; frontend: string };
  /** The next channel message (not a thread reply) whose text starts with `prefix`, posted after `from`. */
  message(prefix: string, from: number, timeoutMs?: number): Promise<FakeMessage>;
  /**
   * Waits until a rollout line starting with `prefix` ends (done or failed) and its thread
   * has the outcome reply: the line with the blocks of its whole thread (withThread).
   */
  finished(prefix: string, from: number, timeoutMs?: number): Promise<FakeMessage>;
  /** The channel lines (not thread replies) posted after `from` whose text starts with `prefix`. */
  lines(prefix: string, from: number): FakeMessage[];
}

export interface DropletE2eOptions {
  /** Number of simulated hosts (default 4: two per env). */
  hosts?: number;
  /** Env configs of `api`; default staging and production as above. */
  envs?: (droplets: DropletWorld, hosts: SimHost[]) => Record<string, Record<string, unknown>>;
  bot?: Partial<DocksideOptions>;
}

export async function dropletE2eWorld(options: DropletE2eOptions = {}): Promise<DropletE2e> {
  const { redis } = testRedis('dropletE2e');
  const droplets = await startDropletWorld({ hosts: options.hosts ?? 4, redis });
  afterAll(() => droplets.close());
  droplets.sim.seedDemo();
  const all = droplets.ssh.hosts;
  const half = Math.max(1, Math.floor(all.length / 2));
  const split = { staging: all.slice(0, half), production: all.slice(half) };
  const envs =
    options.envs?.(droplets, all) ??
    ({
      staging: { droplets: droplets.dropletsEnv(split.staging), health_url: droplets.healthUrl },
      production: {
        droplets: droplets.dropletsEnv(split.production),
        health_url: droplets.healthUrl,
        approval: true,
      },
    } as Record<string, Record<string, unknown>>);
  const api = droplets.config(envs);
  const base = sandboxConfig();
  const config: Config = {
    ...base,
    apps: { ...base.apps, ...api.apps },
    registries: api.registries,
  };
  const world = await testWorld({
    sim: droplets.sim,
    config: () => config,
    bot: { dropletHealthPollMs: 100, ...options.bot },
  });
  const hostsOf = (env: 'staging' | 'production') => {
    const configured = (config.apps.api?.environments[env]?.droplets?.hosts ?? []) as string[];
    return all.filter((h) => configured.includes(h.address));
  };
  const lines = (prefix: string, from: number) =>
    world.slack.messages.slice(from).filter((m) => m.thread_ts === undefined && m.text.startsWith(prefix));
  const message = (prefix: string, from: number, timeoutMs = 20_000) =>
    waitFor(`a message starting with ${prefix}`, () => lines(prefix, from)[0], timeoutMs);
  const seeded = new Map<string, { backend: string; frontend: string }>();
  return {
    world,
    droplets,
    config,
    hostsOf,
    seed(env, tag) {
      const digests = seeded.get(tag) ?? droplets.push(tag);
      seeded.set(tag, digests);
      for (const host of hostsOf(env)) host.seed(droplets.releaseFile(digests, `seed-${tag}`));
      return digests;
    },
    message,
    lines,
    async finished(prefix, from, timeoutMs = 30_000) {
      const found = await message(prefix, from, timeoutMs);
      await waitFor(`${prefix} to finish`, () => / (done|failed)$/.test(found.text) && found, timeoutMs);
      return withThread(world.slack, found, timeoutMs);
    },
  };
}
