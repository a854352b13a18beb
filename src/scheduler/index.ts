export { TickLease } from './lease.js';
export { type CronSchedule, Scheduler, type SchedulerDeps, type Task, type TickResult } from './scheduler.js';
