import { randomUUID } from 'node:crypto';
import type { SimDatabase } from './types.js';
import { SimHttpError } from './types.js';

export interface RestoreBody {
  name?: unknown;
  engine?: unknown;
  region?: unknown;
  size?: unknown;
  num_nodes?: unknown;
  version?: unknown;
  backup_restore?: { database_name?: unknown; backup_created_at?: unknown };
}

/** Managed database clusters and their daily backups. */
export class DatabaseSim {
  readonly clusters = new Map<string, SimDatabase>();

  constructor(
    private readonly later: (fn: () => void, delayMs?: number) => void,
    private readonly provisionMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  add(input: Omit<SimDatabase, 'id' | 'status' | 'created_at'> & { id?: string }): SimDatabase {
    const db: SimDatabase = {
      status: 'online',
      created_at: this.now().toISOString(),
      ...input,
      id: input.id ?? randomUUID(),
    };
    this.clusters.set(db.id, db);
    return db;
  }

  get(id: string): SimDatabase {
    const db = this.clusters.get(id);
    if (!db) throw new SimHttpError(404, 'not_found', 'The resource you were accessing could not be found.');
    return db;
  }

  /**
   * POST /v2/databases with backup_restore: a NEW cluster from a backup. Like DO, a
   * body without `backup_created_at` (dots-wrapper sends `created_at`) restores the
   * newest backup, which is exactly the trap the client must avoid.
   */
  restore(body: RestoreBody): SimDatabase {
    const restore = body.backup_restore;
    if (!restore || typeof restore.database_name !== 'string') {
      throw new SimHttpError(
        422,
        'unprocessable_entity',
        'the simulator only creates clusters from a backup_restore',
      );
    }
    for (const field of ['name', 'engine', 'region', 'size'] as const) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        throw new SimHttpError(422, 'unprocessable_entity', `${field} is required`);
      }
    }
    if (typeof body.num_nodes !== 'number')
      throw new SimHttpError(422, 'unprocessable_entity', 'num_nodes is required');
    const name = body.name as string;
    const source = [...this.clusters.values()].find((c) => c.name === restore.database_name);
    if (!source)
      throw new SimHttpError(404, 'not_found', `database cluster ${String(restore.database_name)} not found`);
    if ([...this.clusters.values()].some((c) => c.name === name)) {
      throw new SimHttpError(422, 'unprocessable_entity', `a database cluster named ${name} already exists`);
    }
    const newest = [...source.backups].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
    let backup = newest;
    if (restore.backup_created_at !== undefined) {
      const wanted = Date.parse(String(restore.backup_created_at));
      backup = source.backups.find((b) => Date.parse(b.created_at) === wanted);
      if (!backup) {
        throw new SimHttpError(
          404,
          'not_found',
          `no backup of ${source.name} was taken at ${String(restore.backup_created_at)}`,
        );
      }
    }
    if (!backup) throw new SimHttpError(422, 'unprocessable_entity', `${source.name} has no backups`);
    const db = this.add({
      name,
      engine: body.engine as string,
      version: typeof body.version === 'string' ? body.version : source.version,
      region: body.region as string,
      size: body.size as string,
      num_nodes: body.num_nodes,
      backups: [],
      restoredFrom: { clusterName: source.name, backupCreatedAt: backup.created_at },
    });
    db.status = 'creating';
    this.later(() => {
      db.status = 'online';
    }, this.provisionMs);
    return db;
  }
}
