import { DocksideError } from '../errors.js';
import { scrub } from '../secrets.js';

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  PROTOCOL_CONNECTION_LOST: 'connection lost',
};

function reasonOf(err: unknown): string {
  const e = (err ?? {}) as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (/timeout/i.test(message)) return 'connection timed out';
  // Driver messages for login and TLS problems name the user, never the password; scrub anyway.
  return scrub(message.split('\n')[0] ?? message).slice(0, 200);
}

/**
 * A database that cannot be reached or refuses the login. The text names the database
 * and host:port only: the connection string (with its password) never leaves the process.
 */
export function unreachableError(dbName: string, endpoint: string, err: unknown): DocksideError {
  return new DocksideError(
    'db_unreachable',
    `Could not connect to database "${dbName}" at ${endpoint}: ${reasonOf(err)}.`,
    {
      hint: `Check that the database is running and that databases.${dbName}.url in dockside.yml is right (and this app is in the cluster's trusted sources).`,
      cause: err,
    },
  );
}
