import { parseArgs } from 'node:util';
import { isDocksideError, plainErrorText } from '../errors.js';
import type { AuditFilter, AuditLog } from './types.js';

export const AUDIT_EXPORT_USAGE = 'dockside audit export [--since 2025-01-31T00:00:00Z] [--app <app>]';

function usage(out: NodeJS.WritableStream, problem: string): number {
  out.write(`${problem}\nUsage: ${AUDIT_EXPORT_USAGE}\n`);
  return 2;
}

function write(out: NodeJS.WritableStream, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Respect back-pressure so exporting 100k entries to a slow pipe does not buffer them all.
    if (out.write(line, (err) => (err ? reject(err) : undefined))) resolve();
    else out.once('drain', resolve);
  });
}

/** `dockside audit export`: the audit log as JSON lines, oldest first. Returns the exit code. */
export async function runAuditExport(
  argv: string[],
  deps: { audit: AuditLog; out: NodeJS.WritableStream; err?: NodeJS.WritableStream },
): Promise<number> {
  const errOut = deps.err ?? deps.out;
  let values: { since?: string; app?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { since: { type: 'string' }, app: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return usage(errOut, err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    deps.out.write(`Usage: ${AUDIT_EXPORT_USAGE}\n`);
    return 0;
  }
  const filter: AuditFilter = {};
  if (values.since !== undefined) {
    if (Number.isNaN(Date.parse(values.since)))
      return usage(errOut, `--since "${values.since}" is not an ISO date.`);
    filter.since = new Date(values.since).toISOString();
  }
  if (values.app !== undefined) {
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(values.app))
      return usage(errOut, `--app "${values.app}" is not an app name.`);
    filter.app = values.app;
  }
  try {
    for await (const entry of deps.audit.export(filter)) await write(deps.out, `${JSON.stringify(entry)}\n`);
    return 0;
  } catch (err) {
    const message = isDocksideError(err) ? plainErrorText(err) : 'Export failed.';
    errOut.write(`${message}\n`);
    return 1;
  }
}
