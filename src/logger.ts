import { type DestinationStream, type Logger, pino } from 'pino';
import { scrub, scrubDeep } from './secrets.js';

export type { Logger };

/** Field names whose values are always secret, wherever they sit in a log object. */
const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'url',
  'connectionString',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.connectionString',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.headers.Authorization',
  'response_url',
  '*.response_url',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'dockside' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
      hooks: {
        // Messages are fixed strings by convention, but scrub them too in case a caller interpolated.
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
}
