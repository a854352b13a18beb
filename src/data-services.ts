import type { Redis } from 'ioredis';
import type { ApprovalStore } from '../approvals/types.js';
import { type BackupOperations, createBackupOperations } from '../handlers/backup/index.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import { createHealthService, type HealthService } from '../handlers/health/index.js';
import type { RedisAuditLog } from './audit/redis-audit-log.js';
import type { Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { pingDatabase } from './db/ping.js';
import { createDatabasePools, type DatabasePools } from './db/pools.js';
import { checkWritable, privilegeWarnings } from './db/writable.js';
import type { DoClient } from './do/port.js';
import { isDocksideError } from './errors.js';
import type { LockStore } from './locks/types.js';
import type { Logger } from './logger.js';
import { Scheduler } from './scheduler/index.js';
import { registerAuditSchedules } from './schedules/audit.js';
import { registerBackupSchedules } from './schedules/backups.js';
import { registerHealthSchedules } from './schedules/health.js';
import type { SlackMessage, SlackPoster } from './slack/reply.js';
import { createStorage, destinationWarning } from './storage/index.js';

/** Databases, backups, health and the schedules that use them: built once, started with the bot. */
export interface DataServices {
  pools: DatabasePools;
  backups: BackupOperations;
  health: HealthService;
  /** Runs the scheduled jobs; exposed so tests drive its ticks with their own clock. */
  scheduler: Scheduler;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createDataServices(deps: {
  config: Config;
  redis: Redis;
  do: DoClient;
  audit: RedisAuditLog;
  locks: LockStore;
  approvals: ApprovalStore;
  slack: SlackPoster;
  clock: Clock;
  log: Logger;
  schedules: boolean;
  /** Each env's deploy target: /health and the summary read Droplet hosts through it. */
  targets?: Pick<DeployTargets, 'get'>;
  /** NODE_ENV=production: a local backup destination is then warned about. */
  production?: boolean;
  replicaId?: string;
}): DataServices {
  const { config, redis, clock, log } = deps;
  const storageWarning = destinationWarning(config.backups.destination, deps.production ?? false);
  const pools = createDatabasePools(config.databases, log);
  const backupDeps = {
    config,
    redis,
    storage: createStorage(config.backups.destination, process.env),
    do: deps.do,
    audit: deps.audit,
    clock,
    log,
  };
  const backups = createBackupOperations(backupDeps);
  const health = createHealthService({
    config,
    do: deps.do,
    redis,
    locks: deps.locks,
    pingDatabase: (name) => pingDatabase(pools, name),
    databaseWarnings: async (name) => privilegeWarnings(await checkWritable(pools.get(name))),
    clock,
    ...(deps.targets ? { targets: deps.targets } : {}),
    notices: storageWarning ? [storageWarning] : [],
  });
  const scheduler = new Scheduler({
    redis,
    log,
    clock,
    ...(deps.replicaId ? { replicaId: deps.replicaId } : {}),
  });
  if (deps.schedules) {
    registerHealthSchedules(scheduler, {
      config,
      redis,
      slack: deps.slack,
      health,
      approvals: deps.approvals,
      backups,
      clock,
      log,
    });
    const notify = (message: SlackMessage) => deps.slack.post(config.channels.ops, message);
    registerBackupSchedules(scheduler, backupDeps, notify);
    registerAuditSchedules(scheduler, deps.audit, config.audit.retention_days, notify);
  }

  /** Layer 4 of "a query can never change data": say so when the configured user can write. */
  async function warnWritableUsers(): Promise<void> {
    await Promise.all(
      pools.names().map(async (name) => {
        try {
          for (const warning of privilegeWarnings(await checkWritable(pools.get(name)))) {
            log.warn({ database: name }, warning);
          }
        } catch (err) {
          log.warn(
            { database: name, code: isDocksideError(err) ? err.code : 'error' },
            'database not reachable at start-up',
          );
        }
      }),
    );
  }

  return {
    pools,
    backups,
    health,
    scheduler,
    async start() {
      if (storageWarning) log.warn({ destination: config.backups.destination.type }, storageWarning);
      void warnWritableUsers();
      if (deps.schedules) void scheduler.start();
    },
    async stop() {
      scheduler.stop();
      await pools.close();
    },
  };
}
