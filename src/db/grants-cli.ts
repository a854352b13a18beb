import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig } from '../config/load.js';
import { DocksideError } from '../errors.js';
import { grantsSql } from './grants.js';

interface Io {
  env: NodeJS.ProcessEnv;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

/** `dockside db grants <db> [...]`: prints the grants script; exit code 0, or 2 for bad usage. */
export function runDbGrants(argv: string[], io: Io): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err.write(`dockside db grants: ${(err as Error).message}\n`);
    return 2;
  }
  const [dbName] = parsed.positionals;
  if (!dbName || parsed.positionals.length > 1) {
    io.err.write(
      'Usage: dockside db grants <db> [--role <user>] [--owner <role>] [--backup-role <user>] [--host <host>]\n',
    );
    return 2;
  }
  const path = io.env.DOCKSIDE_CONFIG ?? './dockside.yml';
  const text = io.env.DOCKSIDE_CONFIG_YAML ?? readConfig(path);
  const config = parseConfig(text, io.env, path);
  const db = config.databases[dbName];
  if (!db) {
    const known = Object.keys(config.databases);
    throw new DocksideError('unknown_db', `There is no database "${dbName}" in ${path}.`, {
      hint: known.length > 0 ? `Known databases: ${known.join(', ')}.` : 'No databases are configured.',
    });
  }
  const { role, owner, 'backup-role': backupRole, host } = parsed.values;
  io.out.write(
    grantsSql(dbName, db, {
      ...(role ? { role } : {}),
      ...(owner ? { owner } : {}),
      ...(backupRole ? { backupRole } : {}),
      ...(host ? { host } : {}),
    }),
  );
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      owner: { type: 'string' },
      'backup-role': { type: 'string' },
      host: { type: 'string' },
    },
  });
}

function readConfig(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new DocksideError('config_invalid', `${path} cannot be read; set DOCKSIDE_CONFIG.`);
  }
}
