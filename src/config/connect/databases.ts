import { checkDumpTools } from '../../../handlers/backup/tool-fit.js';
import type { ToolPaths } from '../../../handlers/backup/tools.js';
import { pingDatabase } from '../../db/ping.js';
import { createDatabasePools } from '../../db/pools.js';
import { checkWritable, privilegeWarnings } from '../../db/writable.js';
import { isDocksideError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Config } from '../schema.js';
import type { Finding } from './types.js';

function reason(err: unknown): { detail: string; hint?: string } {
  if (isDocksideError(err)) return { detail: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { detail: err instanceof Error ? err.message : String(err) };
}

/**
 * Each database: the query connection (url) and what its user may do, as the
 * writable check reports it; then the dump connection (backup_url or url) against
 * the dump tool installed here.
 */
export async function checkDatabases(config: Config, log: Logger, tools: ToolPaths = {}): Promise<Finding[]> {
  const pools = createDatabasePools(config.databases, log);
  const findings: Finding[] = [];
  try {
    for (const [name, db] of Object.entries(config.databases)) {
      const what = `database ${name}`;
      try {
        await pingDatabase(pools, name);
        // Writable tables and masked columns the query user can read, as start-up reports them.
        const warnings = privilegeWarnings(await checkWritable(pools.get(name)));
        findings.push(
          warnings.length > 0
            ? { what, level: 'warn', detail: warnings.join(' ') }
            : { what, level: 'ok', detail: 'reached; the query user is read-only' },
        );
      } catch (err) {
        findings.push({ what, level: 'fail', ...reason(err) });
      }
      const dumpWhat = `dumps of ${name}${db.backup_url ? ' (backup_url)' : ''}`;
      try {
        const tool = await checkDumpTools(name, db, tools);
        findings.push(
          tool.fit.fits
            ? { what: dumpWhat, level: 'ok', detail: `${tool.tool} can dump ${tool.server}` }
            : {
                what: dumpWhat,
                level: 'fail',
                detail: `${tool.fit.problem}`,
                ...(tool.fit.hint ? { hint: tool.fit.hint } : {}),
              },
        );
      } catch (err) {
        // A tool missing on a laptop says nothing about the image; a server that cannot be reached does.
        const missing = isDocksideError(err) && /is not installed/.test(err.message);
        findings.push({ what: dumpWhat, level: missing ? 'warn' : 'fail', ...reason(err) });
      }
    }
  } finally {
    await pools.close();
  }
  return findings;
}
