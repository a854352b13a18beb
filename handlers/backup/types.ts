import type { Redis } from 'ioredis';
import type { AuditLog } from '../../src/audit/types.js';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import type { DoClient } from '../../src/do/port.js';
import type { Logger } from '../../src/logger.js';
import type { BackupStorage } from '../../src/storage/types.js';
import type { ToolPaths } from './tools.js';

/** A dockside dump, as kept in the Redis index. Only verified dumps are ever indexed. */
export interface DumpRecord {
  id: string;
  db: string;
  engine: 'postgres' | 'mysql';
  /** Storage key of the object. */
  key: string;
  /** Where it lives (file path or s3:// URL), for people. */
  location: string;
  destination: 'local' | 's3';
  size: number;
  sha256: string;
  durationMs: number;
  /** Slack user id, or `dockside` for scheduled dumps. */
  requestedBy: string;
  /** ISO time the dump started. */
  createdAt: string;
  /** `pg_dump (PostgreSQL) 15.2` etc. */
  tool: string;
}

/** One row of `/backup <db> list`: a managed backup or a dockside dump. */
export type BackupListItem =
  | { kind: 'managed'; id: string; createdAt: string; size: number }
  | { kind: 'dump'; id: string; createdAt: string; size: number; record: DumpRecord };

export interface BackupDeps {
  config: Config;
  redis: Redis;
  storage: BackupStorage;
  do: DoClient;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  tools?: ToolPaths;
}
