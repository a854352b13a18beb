import { type ChildProcess, spawn } from 'node:child_process';
import { DocksideError } from '../../src/errors.js';
import { scrub } from '../../src/secrets.js';

export type Tool = 'pg_dump' | 'pg_restore' | 'mysqldump' | 'mysql';
/** Paths of the client tools; defaults to their names on PATH. */
export type ToolPaths = Partial<Record<Tool, string>>;

export interface Connection {
  /** Extra arguments naming the server (never the password). */
  args: string[];
  /** Credentials go through the environment so they never show in `ps`. */
  env: Record<string, string>;
  database: string;
}

/** libpq reads these; sslmode from the URL is kept (DO requires `sslmode=require`). */
export function pgConnection(url: string): Connection {
  const u = new URL(url);
  const env: Record<string, string> = {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
  };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return { args: [], env, database: env.PGDATABASE ?? '' };
}

export function mysqlConnection(url: string): Connection {
  const u = new URL(url);
  const args = ['--host', u.hostname, '--port', u.port || '3306', '--user', decodeURIComponent(u.username)];
  const ssl = (u.searchParams.get('ssl-mode') ?? u.searchParams.get('sslmode') ?? '').toUpperCase();
  if (ssl && ssl !== 'DISABLED' && ssl !== 'DISABLE') args.push('--ssl');
  const env: Record<string, string> = {};
  if (u.password) env.MYSQL_PWD = decodeURIComponent(u.password);
  return { args, env, database: decodeURIComponent(u.pathname.slice(1)) };
}

export interface RunningTool {
  child: ChildProcess;
  /** Resolves when the process has exited with 0; rejects with a clear DocksideError otherwise. */
  done: Promise<void>;
}

/** Only what the tools need: the bot's own tokens must not reach a child process. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'PGSSLROOTCERT']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export function runTool(
  tool: Tool,
  args: string[],
  conn: Pick<Connection, 'env'>,
  paths: ToolPaths = {},
  stdio: { stdin?: 'pipe' | 'ignore'; stdout?: 'pipe' | 'ignore' } = {},
): RunningTool {
  const child = spawn(paths[tool] ?? tool, args, {
    env: childEnv(conn.env),
    stdio: [stdio.stdin ?? 'ignore', stdio.stdout ?? 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Keep only the end: the last lines say why a tool failed.
    stderr = (stderr + chunk).slice(-4000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(toolMissing(tool, err)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(toolFailed(tool, code, signal, stderr));
    });
  });
  // A caller may race `done` against a stream; an unobserved rejection must not crash the process.
  done.catch(() => undefined);
  return { child, done };
}

/** `pg_dump --version` and friends: proves the tool is installed before any file is created. */
export async function toolVersion(tool: Tool, paths: ToolPaths = {}): Promise<string> {
  const run = runTool(tool, ['--version'], { env: {} }, paths);
  let out = '';
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  await run.done;
  return out.trim();
}

function toolMissing(tool: Tool, err: Error): DocksideError {
  if ((err as { code?: string }).code === 'ENOENT') {
    return new DocksideError('backup_failed', `${tool} is not installed where dockside runs.`, {
      hint: `Install the ${tool.startsWith('pg') ? 'PostgreSQL' : 'MySQL/MariaDB'} client tools in dockside's image.`,
      cause: err,
    });
  }
  return new DocksideError('backup_failed', `${tool} could not be started: ${err.message}`, { cause: err });
}

function lastLines(text: string, n = 3): string {
  return scrub(text.trim().split('\n').slice(-n).join(' | '));
}

export function toolFailed(
  tool: Tool,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): DocksideError {
  const versions = /server version:\s*([\d.]+)[^\n]*?(?:pg_dump|pg_restore) version:\s*([\d.]+)/s.exec(
    stderr,
  );
  if (/server version mismatch/i.test(stderr) || versions) {
    const detail = versions ? ` (server ${versions[1]}, ${tool} ${versions[2]})` : '';
    return new DocksideError('backup_failed', `${tool} is older than the database server${detail}.`, {
      hint: `Install ${tool} of the server's major version or newer in dockside's image.`,
    });
  }
  if (/No space left on device/i.test(stderr)) {
    return new DocksideError('backup_failed', `${tool} ran out of disk space.`, {
      hint: 'Free space on the backup destination.',
    });
  }
  if (/password authentication failed|Access denied/i.test(stderr)) {
    return new DocksideError('backup_failed', `${tool} could not log in to the database.`, {
      hint: 'Check the user and password in the database URL.',
    });
  }
  if (/could not connect|Can't connect|Connection refused|could not translate host/i.test(stderr)) {
    return new DocksideError('db_unreachable', `${tool} could not reach the database server.`, {
      hint: 'Check the host and port in the database URL, and trusted sources on the cluster.',
    });
  }
  const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
  const why = lastLines(stderr);
  return new DocksideError('backup_failed', `${tool} ${how}${why ? `: ${why}` : ''}.`);
}

/** What `--version` says about a client tool. */
export interface ToolRelease {
  flavor: 'postgresql' | 'mysql' | 'mariadb';
  major: number;
  minor: number;
  text: string;
}

export function parseToolVersion(text: string): ToolRelease | null {
  const pg = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text);
  if (pg) return { flavor: 'postgresql', major: Number(pg[1]), minor: Number(pg[2] ?? 0), text };
  // `mysqldump  Ver 10.19 Distrib 10.11.6-MariaDB` and `mariadb-dump from 11.4.2-MariaDB, client 10.19`
  const maria = /(\d+)\.(\d+)\.\d+-MariaDB/i.exec(text);
  if (maria) return { flavor: 'mariadb', major: Number(maria[1]), minor: Number(maria[2]), text };
  const mysql = /Ver\s+(\d+)\.(\d+)\.\d+/.exec(text);
  if (mysql) return { flavor: 'mysql', major: Number(mysql[1]), minor: Number(mysql[2]), text };
  return null;
}

/** The server's own version string: `150020` (server_version_num) or `8.0.35` / `10.11.6-MariaDB`. */
export function parseServerVersion(engine: 'postgres' | 'mysql', text: string): ToolRelease | null {
  if (engine === 'postgres') {
    const num = Number(text);
    if (!Number.isInteger(num) || num <= 0) return null;
    const major = num >= 100_000 ? Math.floor(num / 10_000) : Math.floor(num / 100);
    return { flavor: 'postgresql', major, minor: num % 100, text: `PostgreSQL ${major}` };
  }
  const m = /^(\d+)\.(\d+)/.exec(text);
  if (!m) return null;
  const flavor = /mariadb/i.test(text) ? 'mariadb' : 'mysql';
  return {
    flavor,
    major: Number(m[1]),
    minor: Number(m[2]),
    text: `${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${m[1]}.${m[2]}`,
  };
}

export interface ToolFit {
  fits: boolean;
  /** Why the tool cannot dump this server, in words. */
  problem?: string;
  /** Exactly what to do about it. */
  hint?: string;
  /** Arguments this combination of client and server needs. */
  extraArgs: string[];
}

const PG_FIX = (major: number) =>
  `Install postgresql-client-${major} or newer from the PostgreSQL project's apt repository (apt.postgresql.org); the Dockerfile in dockside's repository does, so rebuild and redeploy dockside's image from it.`;
const MYSQL_FIX = (major: number) =>
  `Install MySQL's own client ${major}.x (package mysql-client from repo.mysql.com, not MariaDB's); the Dockerfile in dockside's repository does, so rebuild and redeploy dockside's image from it.`;

/**
 * Whether a dump tool can dump a server, decided before any file is created:
 * pg_dump refuses servers of a newer major version, and MariaDB's mysqldump does
 * not know MySQL 8's authentication and catalog.
 */
export function judgeToolFit(tool: ToolRelease, server: ToolRelease): ToolFit {
  if (server.flavor === 'postgresql') {
    if (tool.flavor !== 'postgresql') {
      return {
        fits: false,
        problem: `${tool.text} is not PostgreSQL's pg_dump`,
        hint: PG_FIX(server.major),
        extraArgs: [],
      };
    }
    if (tool.major >= server.major) return { fits: true, extraArgs: [] };
    return {
      fits: false,
      problem: `pg_dump ${tool.major} cannot dump ${server.text}: pg_dump refuses servers newer than itself`,
      hint: PG_FIX(server.major),
      extraArgs: [],
    };
  }
  if (server.flavor === 'mysql') {
    if (tool.flavor === 'mariadb') {
      return {
        fits: false,
        problem: `MariaDB's mysqldump (${tool.major}.${tool.minor}) cannot reliably dump ${server.text}`,
        hint: MYSQL_FIX(server.major),
        extraArgs: [],
      };
    }
    if (tool.flavor === 'mysql' && tool.major >= server.major) {
      // DigitalOcean's MySQL runs with GTIDs; restoring GTID_PURGED needs SUPER, which its users lack.
      return { fits: true, extraArgs: ['--set-gtid-purged=OFF'] };
    }
    return {
      fits: false,
      problem: `mysqldump ${tool.major}.${tool.minor} is older than ${server.text}`,
      hint: MYSQL_FIX(server.major),
      extraArgs: [],
    };
  }
  // MariaDB server.
  if (tool.flavor === 'mariadb') return { fits: true, extraArgs: [] };
  if (tool.flavor === 'mysql') {
    // MySQL 8's mysqldump reads column statistics MariaDB does not have.
    return { fits: true, extraArgs: ['--column-statistics=0'] };
  }
  return { fits: false, problem: `${tool.text} is not a MySQL client`, hint: MYSQL_FIX(8), extraArgs: [] };
}
