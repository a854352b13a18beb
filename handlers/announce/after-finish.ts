import type { Clock } from '../../src/clock.js';
import { needsApproval } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import type { DoClient } from '../../src/do/port.js';
import { isDocksideError } from '../../src/errors.js';
import { own } from '../../src/own.js';
import { runLogExcerpt } from '../../src/render/announce.js';
import { escapeText } from '../../src/render/format.js';
import { logsButton } from '../../src/render/log-excerpt.js';
import type { AfterFinish } from '../deploy/follow-deployment.js';
import { readLogs } from '../logs/read.js';
import { rollBackToPreviousButton } from '../rollback/list.js';

/** Runtime log lines shown under a deployment that went live unhealthy. */
const RUN_LINES = 15;

/**
 * What an out-of-band deployment adds when it ends badly. One that went live and failed
 * its health check or a `verify:` item shows the end of its runtime log and offers "Roll back" to the
 * deployment that served before it: the button is `/rollback <app> <env> <id>`
 * (commands/buttons.ts), so the clicker's grants, the lock and, in production, the
 * approval apply as if typed. One that ended in ERROR or CANCELED never replaced anything
 * (App Platform refuses a rollback to the active deployment), so it carries the build or
 * deploy log excerpt (after-finish-failure.ts) and no Roll back.
 */
export function externalAfterFinish(deps: {
  config: Config;
  do: DoClient;
  ops: AppOpsClient;
  clock: Clock;
}): AfterFinish {
  return async ({ record, deployment, ok }) => {
    const previous = record.previousDeploymentId;
    // `ok` covers the health check and, with `verify:`, the whole checklist.
    if (deployment.phase !== 'ACTIVE' || ok) return undefined;
    const target = { app: record.app, env: record.env };
    const lines: string[] = [];
    try {
      const log = await readLogs(deps, {
        ...target,
        appId: record.appId,
        deploymentId: deployment.id,
        type: 'RUN',
        lines: RUN_LINES,
      });
      lines.push(runLogExcerpt(log.lines));
    } catch (err) {
      // The outcome and the button matter more than the excerpt: say why it is missing.
      const why = isDocksideError(err) ? err.message : 'DigitalOcean did not answer';
      lines.push(`_Its runtime log could not be read: ${escapeText(why)}._`);
    }
    const logs = logsButton(
      'Full runtime log as a file',
      `${record.app} ${record.env} run --deployment ${deployment.id} --lines 1000 --file`,
    );
    if (!previous) return { ok: false, lines, actions: { type: 'actions', elements: [logs] } };
    const envConfig = own(deps.config.apps, record.app)?.environments[record.env];
    const approval = envConfig ? needsApproval(record.env, envConfig) : true;
    lines.push(`Roll back to the deployment that served before${approval ? ' (needs approval)' : ''}:`);
    return {
      ok: false,
      lines,
      actions: {
        type: 'actions',
        elements: [await rollBackToPreviousButton(deps, { ...target, appId: record.appId }, previous), logs],
      },
    };
  };
}
