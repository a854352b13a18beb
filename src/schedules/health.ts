import type { Redis } from 'ioredis';
import { processPoll } from '../../handlers/health/alerts.js';
import type { HealthService } from '../../handlers/health/service.js';
import { gatherSummary, type SummaryDeps } from '../../handlers/health/summary.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { SlackPoster } from '../slack/reply.js';

export interface HealthScheduleDeps extends SummaryDeps {
  config: Config;
  redis: Redis;
  slack: Pick<SlackPoster, 'post'>;
  health: HealthService;
  clock: Clock;
  log: Logger;
}

/**
 * The daily summary (`schedules.health_summary`) and the background poll that posts
 * change alerts, both to the ops channel and each tick on one replica only.
 */
export function registerHealthSchedules(scheduler: Scheduler, deps: HealthScheduleDeps): void {
  const channel = deps.config.channels.ops;
  const summary = deps.config.schedules.health_summary;
  if (summary) {
    scheduler.cron('health:summary', summary, async () => {
      await deps.slack.post(channel, await gatherSummary(deps));
    });
  }
  scheduler.every('health:poll', deps.config.health.poll_seconds, async () => {
    const envs = await deps.health.checkEnvs({ includeDo: false });
    await processPoll(
      {
        redis: deps.redis,
        clock: deps.clock,
        log: deps.log,
        threshold: deps.config.health.failure_threshold,
        post: (message) => deps.slack.post(channel, message),
      },
      envs,
    );
  });
}
