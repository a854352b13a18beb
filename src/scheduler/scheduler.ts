import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { TickLease } from './lease.js';

export type Task = (tick: Date) => Promise<void>;
export type TickResult = 'ran' | 'taken' | 'failed';

export interface CronSchedule {
  cron: string;
  timezone: string;
}

export interface SchedulerDeps {
  redis: Redis;
  log: Logger;
  clock?: Clock;
  /** Names this replica in the lease; random by default. */
  replicaId?: string;
}

interface Job {
  name: string;
  task: Task;
  leaseMs: number;
  /** Arms the job; resolves when a catch-up tick it ran at start (if any) has settled. */
  start(): Promise<unknown>;
  stop(): void;
}

const HOUR = 3_600_000;

/**
 * Runs named jobs on cron schedules (croner, with time zones) or fixed periods. Every
 * replica runs the same scheduler; the tick lease makes exactly one of them run each tick.
 */
export class Scheduler {
  readonly replicaId: string;
  private readonly lease: TickLease;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly jobs = new Map<string, Job>();
  private started = false;

  constructor(deps: SchedulerDeps) {
    this.replicaId = deps.replicaId ?? randomBytes(4).toString('hex');
    this.lease = new TickLease(deps.redis, this.replicaId);
    this.log = deps.log.child({ replica: this.replicaId });
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * A cron job. When a replica starts within `catchUpMs` after a tick that nobody ran
   * (every replica was restarting), it runs that tick late; the lease stops a second run.
   */
  cron(name: string, schedule: CronSchedule, task: Task, options: { catchUpMs?: number } = {}): void {
    // Validates the pattern and zone now, so a bad config fails at start-up, not at 9 am
    // (croner only looks at the zone when it computes a run).
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: schedule.timezone });
    } catch {
      throw new Error(`schedule ${name}: unknown time zone "${schedule.timezone}"`);
    }
    const probe = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
    const catchUpMs = options.catchUpMs ?? 15 * 60_000;
    let job: Cron | undefined;
    this.add({
      name,
      task,
      leaseMs: catchUpMs + HOUR,
      start: () => {
        job = new Cron(schedule.cron, { timezone: schedule.timezone, unref: true }, (self) => {
          // croner reports when it fired; the scheduled time is the latest match up to now.
          const tick = self.previousRuns(1, new Date(Date.now() + 1))[0];
          if (tick) void this.runTick(name, tick);
        });
        const now = this.clock.now();
        const missed = probe.previousRuns(1, new Date(now))[0];
        return missed && now - missed.getTime() <= catchUpMs ? this.runTick(name, missed) : Promise.resolve();
      },
      stop: () => job?.stop(),
    });
  }

  /** A job every `seconds`, on ticks aligned to the period so all replicas agree on them. */
  every(name: string, seconds: number, task: Task): void {
    const period = seconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const arm = () => {
      if (stopped) return;
      const now = this.clock.now();
      const next = Math.floor(now / period) * period + period;
      timer = setTimeout(() => {
        void this.runTick(name, new Date(next));
        arm();
      }, next - now);
      timer.unref();
    };
    this.add({
      name,
      task,
      leaseMs: period * 3,
      start: () => {
        stopped = false;
        arm();
        return Promise.resolve();
      },
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    });
  }

  /**
   * Arms every job. The returned promise settles when the catch-up ticks run at start
   * have (tests await it; the bot does not wait for a late summary to start).
   */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    return Promise.allSettled([...this.jobs.values()].map((job) => job.start())).then(() => undefined);
  }

  stop(): void {
    this.started = false;
    for (const job of this.jobs.values()) job.stop();
  }

  /** Runs one tick of a job if this replica wins its lease. Exposed for tests and manual triggers. */
  async runTick(name: string, tick: Date): Promise<TickResult> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no scheduled job ${name}`);
    let claimed: boolean;
    try {
      claimed = await this.lease.claim(name, tick, job.leaseMs);
    } catch (err) {
      this.log.error(
        { job: name, tick: tick.toISOString(), err },
        'schedule lease unavailable, tick skipped',
      );
      return 'failed';
    }
    if (!claimed) return 'taken';
    const log = this.log.child({ job: name, tick: tick.toISOString() });
    try {
      await job.task(tick);
      log.info('scheduled job ran');
      return 'ran';
    } catch (err) {
      // Nobody is waiting on a schedule: the tick is not retried (a post twice is worse than late).
      log.error({ err }, 'scheduled job failed');
      return 'failed';
    }
  }

  private add(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`scheduled job ${job.name} registered twice`);
    this.jobs.set(job.name, job);
    if (this.started) void job.start();
  }
}
