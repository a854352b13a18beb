import type { Redis } from 'ioredis';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import { createAppListClient } from '../../src/do/app-list.js';
import type { DoClientOptions } from '../../src/do/context.js';
import type { DoClient } from '../../src/do/port.js';
import type { IntentStore } from '../../src/intents.js';
import type { Logger } from '../../src/logger.js';
import { TickLease } from '../../src/scheduler/lease.js';
import { createAnnounceStore } from './store.js';
import { createOutOfBandWatcher, type OutOfBandWatcher } from './watcher.js';

export { externalAfterFinish } from './after-finish.js';
export type { OutOfBandWatcher } from './watcher.js';

/** How often one replica looks, and how often a followed deployment is polled (shown / failures only). */
export interface OutOfBandOptions {
  tickMs?: number;
  pollMs?: number;
  quietPollMs?: number;
}

export const DEFAULT_TICK_MS = 30_000;

/** The watcher with its clients, as the composition root builds it (src/app.ts). */
export function createOutOfBand(deps: {
  options: OutOfBandOptions;
  config: Config;
  doOptions: DoClientOptions;
  do: DoClient;
  redis: Redis;
  intents: IntentStore;
  follow: () => Promise<unknown>;
  clock: Clock;
  log: Logger;
  replicaId: string;
}): OutOfBandWatcher {
  const { options } = deps;
  return createOutOfBandWatcher({
    config: deps.config,
    apps: createAppListClient(deps.doOptions),
    do: deps.do,
    store: createAnnounceStore(deps.redis),
    intents: deps.intents,
    lease: new TickLease(deps.redis, deps.replicaId),
    follow: deps.follow,
    clock: deps.clock,
    log: deps.log,
    replicaId: deps.replicaId,
    tickMs: options.tickMs ?? DEFAULT_TICK_MS,
    pollMs: options.pollMs ?? 15_000,
    quietPollMs: options.quietPollMs ?? options.pollMs ?? 60_000,
  });
}
