import type { ApprovalService } from '../approvals/service.js';
import { auditCommand } from '../commands/audit.js';
import { createBackupCommand } from '../commands/backup.js';
import { deployCommand } from '../commands/deploy.js';
import { createHealthCommand } from '../commands/health.js';
import { lockCommand, unlockCommand } from '../commands/lock.js';
import { logsCommand } from '../commands/logs.js';
import { promoteCommand } from '../commands/promote.js';
import { queryCommand } from '../commands/query.js';
import { type RegisteredCommand, register } from '../commands/registry.js';
import { restartCommand } from '../commands/restart.js';
import { rollbackCommand } from '../commands/rollback.js';
import type { AuditLog } from './audit/types.js';
import type { Clock } from './clock.js';
import type { DataServices } from './data-services.js';
import type { AppOpsClient } from './do/app-ops-port.js';
import type { DoClient } from './do/port.js';
import type { ExclusiveLockStore } from './locks/types.js';

type DeployCommandDeps = Omit<Parameters<typeof deployCommand>[0], 'approvals'>;

/** Every slash command with the grant actions it needs, built from the clients app.ts made. */
export function buildCommands(deps: {
  runner: DeployCommandDeps & Omit<Parameters<typeof restartCommand>[0], 'approvals'>;
  approvals: ApprovalService;
  data: DataServices;
  clock: Clock;
  audit: AuditLog;
  locks: ExclusiveLockStore;
  do: DoClient;
  ops: AppOpsClient;
}): RegisteredCommand[] {
  const { runner, approvals, data, clock, audit, locks, ops } = deps;
  const doClient = deps.do;
  return [
    register(deployCommand({ ...runner, approvals }), ['deploy']),
    register(promoteCommand({ ...runner, approvals }), ['promote']),
    register(rollbackCommand({ ...runner, approvals }), ['rollback']),
    register(queryCommand({ pools: data.pools, clock }), ['query']),
    register(
      createBackupCommand({
        backups: data.backups,
        clock,
        requestApproval: async ({ required: _required, ...request }) => approvals?.request(request),
      }),
      ['backup', 'restore'],
    ),
    register(createHealthCommand({ health: data.health, clock }), []),
    register(auditCommand({ audit }), ['audit']),
    register(lockCommand({ locks, clock }), ['deploy', 'lock']),
    register(unlockCommand({ locks }), ['deploy', 'lock']),
    register(logsCommand({ do: doClient, ops }), ['logs']),
    register(restartCommand({ ...runner, approvals }), ['restart']),
  ];
}
