import { afterAll } from 'vitest';
import { sandboxConfig } from '../../src/sandbox/config.js';
import { startWorld, type World, type WorldOptions } from '../../src/sandbox/world.js';
import { deleteKeys } from './redis.js';

/** A world for one test file, closed after it; Redis keys get their own prefix. */
export async function testWorld(options: Partial<WorldOptions> = {}): Promise<World> {
  const world = await startWorld({
    config: (sim) => sandboxConfig({ githubApiUrl: sim.githubUrl }),
    ...options,
  });
  afterAll(async () => {
    await world.close();
    await deleteKeys(world.redisKeyPrefix);
  });
  return world;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The first answer posted to one command's response_url. */
export function answerTo(world: World, res: { responseUrl: string }, timeoutMs = 5000) {
  return waitFor(
    `an answer to ${res.responseUrl}`,
    () => world.slack.ephemerals.find((e) => e.responseUrl === res.responseUrl),
    timeoutMs,
  );
}
