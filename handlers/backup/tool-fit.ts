import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/schema.js';
import { mysqlPoolOptions, pgPoolConfig } from '../../src/db/connection-options.js';
import { unreachableError } from '../../src/db/errors.js';
import { DocksideError } from '../../src/errors.js';
import {
  judgeToolFit,
  parseServerVersion,
  parseToolVersion,
  type ToolFit,
  type ToolPaths,
  type ToolRelease,
  toolVersion,
} from './tools.js';

/** Dumps (and restores into a restore target) use `backup_url` when it is set. */
export function dumpUrl(db: Pick<DatabaseConfig, 'url' | 'backup_url'>): string {
  return db.backup_url ?? db.url;
}

/** Asks the server its version over the dump connection. */
export async function serverRelease(name: string, db: DatabaseConfig): Promise<ToolRelease> {
  const config = { ...db, url: dumpUrl(db) };
  let text: string;
  if (db.engine === 'postgres') {
    const { host, port } = pgPoolConfig(name, config);
    const client = new pg.Client({ ...pgPoolConfig(name, config), connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      const result = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      text = result.rows[0]?.v ?? '';
    } catch (err) {
      throw unreachableError(name, `${host}:${port}`, err);
    } finally {
      await client.end().catch(() => undefined);
    }
  } else {
    const options = mysqlPoolOptions(name, config);
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({
        host: options.host,
        port: options.port,
        user: options.user,
        password: options.password,
        database: options.database,
        ...(options.ssl ? { ssl: options.ssl } : {}),
        connectTimeout: 10_000,
      } as mysql.ConnectionOptions);
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
      text = String(rows[0]?.v ?? '');
    } catch (err) {
      throw unreachableError(name, `${options.host}:${options.port}`, err);
    } finally {
      await conn?.end().catch(() => undefined);
    }
  }
  const release = parseServerVersion(db.engine, text);
  if (!release) throw new DocksideError('backup_failed', `Database "${name}" reported an unknown version.`);
  return release;
}

export interface DumpToolCheck {
  /** `pg_dump (PostgreSQL) 17.2`. */
  tool: string;
  /** `PostgreSQL 16`. */
  server: string;
  fit: ToolFit;
}

/** The dump tool against the server it would dump: throws nothing but an unreachable server or a missing tool. */
export async function checkDumpTools(
  name: string,
  db: DatabaseConfig,
  tools: ToolPaths = {},
): Promise<DumpToolCheck> {
  const toolName = db.engine === 'postgres' ? 'pg_dump' : 'mysqldump';
  const toolText = await toolVersion(toolName, tools);
  const tool = parseToolVersion(toolText);
  const server = await serverRelease(name, db);
  if (!tool) {
    return {
      tool: toolText,
      server: server.text,
      fit: { fits: false, problem: `"${toolText}" is not a version dockside knows`, extraArgs: [] },
    };
  }
  return { tool: toolText, server: server.text, fit: judgeToolFit(tool, server) };
}

/** Before a dump: refuses, saying exactly what to do, when the tool cannot dump this server. */
export async function requireDumpTools(
  name: string,
  db: DatabaseConfig,
  tools: ToolPaths = {},
): Promise<DumpToolCheck> {
  const check = await checkDumpTools(name, db, tools);
  if (!check.fit.fits) {
    throw new DocksideError('backup_failed', `Cannot dump "${name}": ${check.fit.problem}.`, {
      ...(check.fit.hint ? { hint: check.fit.hint } : {}),
    });
  }
  return check;
}
