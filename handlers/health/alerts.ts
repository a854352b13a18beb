import type { Redis } from 'ioredis';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import type { SlackMessage } from '../../src/slack/reply.js';
import { formatAge } from '../backup/format.js';
import type { EnvHealth } from './types.js';

/**
 * Counts consecutive failed polls per env and decides, atomically, whether this poll
 * turns the env unhealthy (the Nth failure in a row) or healthy again (first good poll
 * after being unhealthy). Anything else changes nothing that a person needs to see.
 */
const RECORD = `
local failures = tonumber(redis.call('hget', KEYS[1], 'failures') or '0')
local state = redis.call('hget', KEYS[1], 'state') or 'healthy'
if ARGV[1] == '1' then
  failures = failures + 1
  redis.call('hset', KEYS[1], 'failures', failures)
  if failures >= tonumber(ARGV[2]) and state ~= 'unhealthy' then
    redis.call('hset', KEYS[1], 'state', 'unhealthy', 'since', ARGV[3])
    return {'unhealthy', ARGV[3]}
  end
  return {'', ''}
end
redis.call('hset', KEYS[1], 'failures', 0)
if state == 'unhealthy' then
  local since = redis.call('hget', KEYS[1], 'since') or ARGV[3]
  redis.call('hset', KEYS[1], 'state', 'healthy', 'since', ARGV[3])
  return {'recovered', since}
end
return {'', ''}`;

export type Transition = { kind: 'unhealthy' | 'recovered'; since: number } | null;

export class AlertTracker {
  constructor(private readonly redis: Redis) {}

  async record(
    app: string,
    env: string,
    failed: boolean,
    threshold: number,
    now: number,
  ): Promise<Transition> {
    const [kind, since] = (await this.redis.eval(
      RECORD,
      1,
      `health:alert:${app}:${env}`,
      failed ? '1' : '0',
      String(threshold),
      String(now),
    )) as [string, string];
    if (kind !== 'unhealthy' && kind !== 'recovered') return null;
    return { kind, since: Number(since) };
  }
}

export interface AlertPollDeps {
  redis: Redis;
  clock: Clock;
  log: Logger;
  threshold: number;
  post: (message: SlackMessage) => Promise<unknown>;
}

/** Feeds one poll's results to the tracker and posts the transitions. Unknown results count for nothing. */
export async function processPoll(deps: AlertPollDeps, envs: EnvHealth[]): Promise<Transition[]> {
  const tracker = new AlertTracker(deps.redis);
  const now = deps.clock.now();
  const out: Transition[] = [];
  for (const e of envs) {
    if (e.state === 'unknown') continue;
    const t = await tracker.record(e.app, e.env, e.state === 'bad', deps.threshold, now);
    if (!t) continue;
    out.push(t);
    const bad = e.checks.filter((c) => c.state === 'bad').map((c) => `${c.name} ${c.detail}`);
    const message =
      t.kind === 'unhealthy'
        ? `:red_circle: *${e.app}/${e.env} is unhealthy* (${deps.threshold} failed checks in a row): ${bad.join(', ')}`
        : `:large_green_circle: *${e.app}/${e.env} recovered* after ${formatAge(now - t.since)} unhealthy.`;
    deps.log.info({ app: e.app, env: e.env, transition: t.kind }, 'health alert');
    await deps.post({ text: message });
  }
  return out;
}
