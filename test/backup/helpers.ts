import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { AuditEntry, AuditEntryInput, AuditLog } from '../../src/audit/types.js';
import type { Clock } from '../../src/clock.js';
import { Config } from '../../src/config/schema.js';
import type { DatabaseCluster, DoClient, ManagedBackup, RestoreRequest } from '../../src/do/port.js';
import { createLogger } from '../../src/logger.js';

export const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_ADMIN = 'mysql://root@127.0.0.1:3306/test';
export const silentLog = createLogger({ level: 'silent' });

export const suffix = () => randomBytes(4).toString('hex');

/** A scratch PostgreSQL database, dropped after the file's tests. */
export async function scratchPg(
  label: string,
): Promise<{ name: string; url: string; query: (sql: string) => Promise<pg.QueryResult> }> {
  const name = `dockside_${label}_${suffix()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(async () => {
    await pool.end();
    const c = new pg.Client({ connectionString: PG_ADMIN });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  return { name, url, query: (sql) => pool.query(sql) };
}

/** A scratch MariaDB database, dropped after the file's tests. */
export async function scratchMysql(
  label: string,
): Promise<{ name: string; url: string; query: (sql: string) => Promise<unknown> }> {
  const name = `dockside_${label}_${suffix()}`;
  const admin = await mysql.createConnection({ uri: MYSQL_ADMIN });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `mysql://root@127.0.0.1:3306/${name}`;
  const pool = mysql.createPool({ uri: url, connectionLimit: 2, multipleStatements: true });
  afterAll(async () => {
    await pool.end();
    const c = await mysql.createConnection({ uri: MYSQL_ADMIN });
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.end();
  });
  return { name, url, query: async (sql) => (await pool.query(sql))[0] };
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dockside-backup-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function makeConfig(raw: Record<string, unknown>): Config {
  return Config.parse({ channels: { ops: 'C0123456789' }, ...raw });
}

export class FakeClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Keeps entries in memory; enough to assert what was audited and in which order. */
export class MemoryAudit implements AuditLog {
  entries: AuditEntry[] = [];
  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    const full: AuditEntry = {
      ...entry,
      id: `a${this.entries.length + 1}`,
      at: new Date().toISOString(),
      prev: '',
      hash: '',
    };
    this.entries.push(full);
    return full;
  }
  async list(): Promise<AuditEntry[]> {
    return [...this.entries].reverse();
  }
  async verify() {
    return { ok: true, checked: this.entries.length };
  }
  async *export(): AsyncIterable<AuditEntry> {
    yield* this.entries;
  }
}

/** The few DoClient methods backups use; everything else fails loudly if called. */
export function fakeDo(options: { backups?: ManagedBackup[]; cluster?: Partial<DatabaseCluster> } = {}) {
  const restores: RestoreRequest[] = [];
  const cluster: DatabaseCluster = {
    id: 'cl-source',
    name: 'main-db',
    engine: 'pg',
    version: '16',
    region: 'fra1',
    size: 'db-s-1vcpu-1gb',
    numNodes: 1,
    status: 'online',
    ...options.cluster,
  };
  const unused = () => {
    throw new Error('not used by backups');
  };
  const client: DoClient = {
    getApp: unused,
    listDeployments: unused,
    getDeployment: unused,
    createDeployment: unused,
    cancelDeployment: unused,
    updateAppSpec: unused,
    validateRollback: unused,
    rollback: unused,
    commitRollback: unused,
    revertRollback: unused,
    getAppHealth: unused,
    getDatabaseCluster: async (id) => ({ ...cluster, id }),
    listDatabaseBackups: async () => options.backups ?? [],
    restoreDatabaseBackup: async (request) => {
      restores.push(request);
      return { ...cluster, id: 'cl-new', name: request.newClusterName, status: 'creating' };
    },
  };
  return { client, restores };
}
