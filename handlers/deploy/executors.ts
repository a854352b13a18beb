import type { ExecutionResult, Executor } from '../../approvals/service.js';
import type { ApprovalKind, ApprovalRequest } from '../../approvals/types.js';
import type { Config } from '../../src/config/schema.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { DocksideError } from '../../src/errors.js';
import { mention } from '../../src/render/format.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { BackupOperations } from '../backup/index.js';
import { restartBinding } from '../restart/start.js';
import type { ActionContext } from './actions.js';
import { type EnvTarget, type RunnerDeps, runRestart, runRevertRollback } from './runners.js';
import { assertSame } from './stale.js';
import { appPlatformAppId, type DeployTarget, type PlanKind } from './target.js';
import type { DeployTargets } from './targets.js';

/** The request's env as dockside.yml has it now; gone from the config means the approval is void. */
function configuredEnv(config: Config, app: string | undefined, env: string | undefined) {
  const envConfig = app && env ? config.apps[app]?.environments[env] : undefined;
  if (!app || !env || !envConfig) {
    throw new DocksideError(
      'approval_stale',
      `${app ?? '?'} ${env ?? '?'} is no longer in dockside.yml; nothing was done.`,
    );
  }
  return { app, env, envConfig };
}

/** What only App Platform has (a rollback's pin, a restart): the env's app. */
function envTarget(config: Config, app: string | undefined, env: string | undefined): EnvTarget {
  const found = configuredEnv(config, app, env);
  return {
    app: found.app,
    env: found.env,
    appId: appPlatformAppId(found.app, found.env, found.envConfig),
    autoRollback: found.envConfig.auto_rollback,
    ...(found.envConfig.health_url ? { healthUrl: found.envConfig.health_url } : {}),
  };
}

/**
 * The env's target, as long as it is still the kind of env the request was made for:
 * a request bound to App Platform deployments says nothing about Droplet hosts.
 */
function targetOf(
  deps: { config: Config; targets: Pick<DeployTargets, 'get'> },
  r: ApprovalRequest,
): DeployTarget {
  const { app, env } = configuredEnv(deps.config, r.app, r.env);
  const target = deps.targets.get(app, env);
  const then = r.binding.target === 'droplets' ? 'droplets' : 'app_platform';
  if (target.kind !== then) {
    const kinds = { droplets: 'Droplets', app_platform: 'App Platform' };
    throw new DocksideError(
      'approval_stale',
      `${app} ${env} runs on ${kinds[target.kind]} now, not on ${kinds[then]} as when this was requested; nothing was done.`,
      { hint: `Run \`${r.command}\` again to ask for a new approval.` },
    );
  }
  return target;
}

/** What each kind of approved request does. Every executor re-checks the binding first. */
export function createExecutors(
  deps: RunnerDeps & {
    targets: Pick<DeployTargets, 'get'>;
    config: Config;
    slack: SlackPoster;
    backups: BackupOperations;
    ops: AppOpsClient;
  },
): Partial<Record<ApprovalKind, Executor>> {
  /** Where an approved run reports: the channel it was asked from, tied to the approval. */
  const approvedContext = (r: ApprovalRequest): ActionContext => {
    const approvers = r.approvals.map((a) => mention(a.user)).join(', ');
    return {
      user: r.requester,
      channel: r.channel,
      command: r.command,
      post: (m) => deps.slack.post(r.channel, m),
      approvalId: r.id,
      ...(approvers ? { lines: [`Approved by ${approvers}.`] } : {}),
    };
  };
  /**
   * Deploy, roll back, promote: through the env's target, which plans again and refuses
   * what moved since approval; an App Platform deployment is then followed (the follower
   * ends the approval), a Droplet rollout runs here to its end.
   */
  const throughTarget =
    (kind: PlanKind) =>
    async (r: ApprovalRequest): Promise<ExecutionResult> => {
      const target = targetOf(deps, r);
      const result = await target.runApproved(
        { kind, binding: r.binding, params: r.params, command: r.command },
        approvedContext(r),
      );
      if (result.status === 'done') return { status: 'done', ok: result.ok, detail: result.detail };
      return { status: 'started', detail: result.detail, doIds: result.doIds };
    };

  return {
    deploy: throughTarget('deploy'),
    promote: throughTarget('promote'),
    rollback: throughTarget('rollback'),
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
      const started = await runRevertRollback(deps, target, approvedContext(r));
      return { status: 'started', detail: started.detail, doIds: started.doIds };
    },
    async restart(r) {
      const target = envTarget(deps.config, r.app, r.env);
      const components = (r.params.components ?? '').split(',').filter(Boolean);
      const now = await restartBinding(deps.do, target, components);
      for (const key of ['app_id', 'active_deployment_id', 'components'] as const) {
        assertSame(r, key, now[key] ?? '', `The ${key.replaceAll('_', ' ')} of ${target.app} ${target.env}`);
      }
      const started = await runRestart(deps, target, approvedContext(r), components);
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
