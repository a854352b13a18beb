import type { Clock } from '../../src/clock.js';
import { needsApproval } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { DoClient } from '../../src/do/port.js';
import { own } from '../../src/own.js';
import { formatDuration, shortId } from '../../src/render/format.js';
import { rollbackButton } from '../../src/render/rollback-buttons.js';
import type { AfterFinish } from '../deploy/follow-deployment.js';
import { runsShort } from '../rollback/list.js';

/**
 * What an out-of-band deployment adds when it ends badly. One that went live and failed
 * its health check offers "Roll back" to the deployment that served before it: the button
 * is `/rollback <app> <env> <id>` (commands/buttons.ts), so the clicker's grants, the lock
 * and, in production, the approval apply as if typed. One that ended in ERROR or CANCELED
 * never replaced anything (App Platform refuses a rollback to the active deployment), so
 * it carries the log excerpt (after-finish-failure.ts) and no button.
 */
export function externalAfterFinish(deps: {
  config: Config;
  do: Pick<DoClient, 'getDeployment'>;
  clock: Clock;
}): AfterFinish {
  return async ({ record, deployment, health }) => {
    const previous = record.previousDeploymentId;
    if (!previous || deployment.phase !== 'ACTIVE' || !health || health.ok) return undefined;
    const envConfig = own(deps.config.apps, record.app)?.environments[record.env];
    const approval = envConfig ? needsApproval(record.env, envConfig) : true;
    const before = await deps.do.getDeployment(record.appId, previous).catch(() => undefined);
    const facts = before
      ? ` (${runsShort(before)}, ${formatDuration(deps.clock.now() - Date.parse(before.createdAt))} ago)`
      : '';
    return {
      ok: false,
      lines: [
        `It went live and the health check failed. Roll back to the deployment that served before${approval ? ' (needs approval)' : ''}:`,
      ],
      actions: {
        type: 'actions',
        elements: [
          rollbackButton(
            `Roll back to ${shortId(previous)}${facts}`,
            `${record.app} ${record.env} ${previous}`,
            'danger',
          ),
        ],
      },
    };
  };
}
