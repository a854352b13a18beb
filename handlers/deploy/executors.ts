import type { ExecutionResult, Executor } from '../../approvals/service.js';
import type { ApprovalKind, ApprovalRequest } from '../../approvals/types.js';
import type { Config } from '../../src/config/schema.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { DocksideError } from '../../src/errors.js';
import { outcomeSummary } from '../../src/render/droplet-rollout.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { BackupOperations } from '../backup/index.js';
import { executeDropletPromote } from '../droplet/promote-execute.js';
import { approvedContext, executeDropletRollback } from '../droplet/rollback-execute.js';
import { type DropletRunDeps, runDropletPlan } from '../droplet/run.js';
import { replanApproved } from '../droplet/run-deploy.js';
import { approvedFromBinding } from '../promote/execute.js';
import { restartBinding } from '../restart/start.js';
import {
  type EnvTarget,
  type RunnerDeps,
  runDeploy,
  runPromotion,
  runRestart,
  runRevertRollback,
  runRollbackTo,
} from './runners.js';
import { deployBinding } from './start.js';
import { appPlatformAppId } from './target.js';

function envTarget(config: Config, app: string | undefined, env: string | undefined): EnvTarget {
  const envConfig = app && env ? config.apps[app]?.environments[env] : undefined;
  if (!app || !env || !envConfig) {
    throw new DocksideError(
      'approval_stale',
      `${app ?? '?'} ${env ?? '?'} is no longer in dockside.yml; nothing was done.`,
    );
  }
  return {
    app,
    env,
    appId: appPlatformAppId(app, env, envConfig),
    autoRollback: envConfig.auto_rollback,
    ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
  };
}

/** The approval is void when what it was bound to moved on; say what moved. */
function assertSame(request: ApprovalRequest, key: string, now: string, what: string): void {
  const approved = request.binding[key];
  if (approved !== now) {
    throw new DocksideError(
      'approval_stale',
      `${what} changed since this was requested (was ${approved ?? 'nothing'}, now ${now}), so this approval is void and nothing was done.`,
      { hint: `Run \`${request.command}\` again to ask for a new approval.` },
    );
  }
}

/** What each kind of approved request does. Every executor re-checks the binding first. */
export function createExecutors(
  deps: RunnerDeps &
    Omit<DropletRunDeps, 'slack'> & {
      config: Config;
      slack: SlackPoster;
      backups: BackupOperations;
      ops: AppOpsClient;
    },
): Partial<Record<ApprovalKind, Executor>> {
  const runFor = (r: ApprovalRequest) => ({
    user: r.requester,
    channel: r.channel,
    command: r.command,
    post: (m: Parameters<SlackPoster['post']>[1]) => deps.slack.post(r.channel, m),
    approvalId: r.id,
  });
  /**
   * An approved Droplet deploy: planned again (refused when the env or the tag moved),
   * then carried out here, once, by the replica that claimed the approval; the approval
   * ends with the rollout's outcome.
   */
  async function deployDroplets(r: ApprovalRequest): Promise<ExecutionResult> {
    const envConfig = r.app && r.env ? deps.config.apps[r.app]?.environments[r.env] : undefined;
    if (!r.app || !r.env || !envConfig?.droplets) {
      throw new DocksideError(
        'approval_stale',
        `${r.app ?? '?'} ${r.env ?? '?'} is no longer a Droplet env in dockside.yml; nothing was done.`,
      );
    }
    const target = deps.targets.droplet(r.app, r.env);
    const plan = await replanApproved(target, r);
    const result = await runDropletPlan(deps, plan, approvedContext(deps, r));
    return { status: 'done', ok: result.ok, detail: outcomeSummary(r.app, r.env, result) };
  }

  return {
    async deploy(r) {
      if (r.binding.target === 'droplets') return deployDroplets(r);
      const target = envTarget(deps.config, r.app, r.env);
      assertSame(r, 'app_id', target.appId, `The App Platform app of ${target.app} ${target.env}`);
      const now = await deployBinding(deps.do, { appId: target.appId, env: target.env });
      assertSame(
        r,
        'active_deployment_id',
        now.active_deployment_id,
        `The active deployment of ${target.app} ${target.env}`,
      );
      const started = await runDeploy(deps, target, runFor(r), r.params.forceBuild === 'true');
      return { status: 'started', detail: started.detail, doIds: started.doIds };
    },
    async promote(r) {
      if (r.binding.target === 'droplets') return executeDropletPromote(deps, r);
      const target = envTarget(deps.config, r.app, r.env);
      const started = await runPromotion(deps, target, runFor(r), approvedFromBinding(target.app, r.binding));
      return { status: 'started', detail: started.detail, doIds: started.doIds };
    },
    async rollback(r) {
      if (r.binding.target === 'droplets') return executeDropletRollback(deps, r);
      const target = envTarget(deps.config, r.app, r.env);
      assertSame(r, 'app_id', target.appId, `The App Platform app of ${target.app} ${target.env}`);
      const app = await deps.do.getApp(target.appId);
      assertSame(
        r,
        'active_deployment_id',
        app.activeDeployment?.id ?? 'none',
        `The active deployment of ${target.app} ${target.env}`,
      );
      const started = await runRollbackTo(deps, target, runFor(r), r.binding.target_deployment_id ?? '');
      return { status: 'started', detail: started.detail, doIds: started.doIds };
    },
    async revert(r) {
      const target = envTarget(deps.config, r.app, r.env);
      assertSame(r, 'app_id', target.appId, `The App Platform app of ${target.app} ${target.env}`);
      const app = await deps.do.getApp(target.appId);
      assertSame(
        r,
        'pinned_deployment_id',
        app.pinnedDeployment?.id ?? 'none',
        `The rollback ${target.app} ${target.env} is pinned to`,
      );
      const started = await runRevertRollback(deps, target, runFor(r));
      return { status: 'started', detail: started.detail, doIds: started.doIds };
    },
    async restart(r) {
      const target = envTarget(deps.config, r.app, r.env);
      const components = (r.params.components ?? '').split(',').filter(Boolean);
      const now = await restartBinding(deps.do, target, components);
      for (const key of ['app_id', 'active_deployment_id', 'components'] as const) {
        assertSame(r, key, now[key] ?? '', `The ${key.replaceAll('_', ' ')} of ${target.app} ${target.env}`);
      }
      const started = await runRestart(deps, target, runFor(r), components);
      return { status: 'started', detail: started.detail, doIds: started.doIds };
    },
    async restore(r) {
      const db = r.params.db ?? '';
      const backupId = r.params.backupId ?? '';
      const backup = await deps.backups.resolve(db, backupId);
      if (backup.kind === 'managed') {
        assertSame(r, 'backupCreatedAt', backup.createdAt, `The managed backup ${backupId} of ${db}`);
      } else {
        assertSame(r, 'sha256', backup.record.sha256, `The dump ${backupId} of ${db}`);
        assertSame(r, 'target', deps.backups.restoreTarget(db), `The restore target of ${db}`);
      }
      // Past this point something may be created: a replica that takes over must not say otherwise.
      await deps.intents.store.update(r.id, {
        stage: 'creating',
        creatingAt: new Date(deps.clock.now()).toISOString(),
      });
      const result = await deps.backups.restore({ db, backupId, requestedBy: r.requester });
      await deps.slack.post(r.channel, { text: result.message }).catch(() => undefined);
      const doIds: Record<string, string> = result.kind === 'managed' ? { clusterId: result.cluster.id } : {};
      return { status: 'done', ok: true, detail: result.message, doIds };
    },
  };
}
