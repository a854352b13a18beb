import { assertNoDeploymentInProgress, assertUnlocked } from '../handlers/deploy/start.js';
import { needsApproval } from '../src/config/load.js';
import type { DoClient } from '../src/do/port.js';
import type { DeploymentFollower } from '../src/follow-deployment.js';
import type { LockStore } from '../src/locks/types.js';
import { deploymentMessage } from '../src/render/deployment.js';
import type { MessageRef, SlackMessage } from '../src/slack/reply.js';
import type { WatchRecord } from '../src/watchers.js';
import { noExtraWords, resolveEnv, tokenize } from './args.js';
import type { CommandContext, CommandDef, CommandOutcome } from './types.js';

const USAGE = '/deploy <app> <env> [--force-build]';

export interface DeployArgs {
  app: string;
  env: string;
  appId: string;
  forceBuild: boolean;
  healthUrl?: string;
  autoRollback: boolean;
  approval: boolean;
}

export interface DeployCommandDeps {
  do: DoClient;
  locks: LockStore;
  follower: DeploymentFollower;
  now: () => number;
  /** Production: asks for approval instead of deploying (approvals/). */
  requestApproval(ctx: CommandContext, args: DeployArgs): Promise<CommandOutcome>;
}

/** Posts the message, creates the deployment and hands it to the follower. Also used after approval. */
export async function runDeployment(
  deps: Omit<DeployCommandDeps, 'requestApproval'>,
  args: DeployArgs,
  post: { user: string; channel: string; auditRef?: string; approvalId?: string },
  postMessage: (message: SlackMessage) => Promise<MessageRef>,
): Promise<CommandOutcome> {
  const target = { app: args.app, env: args.env, appId: args.appId };
  await assertUnlocked(deps.locks, target);
  await assertNoDeploymentInProgress(deps.do, target);
  const deployment = await deps.do.createDeployment(args.appId, { forceBuild: args.forceBuild });
  const record: WatchRecord = {
    deploymentId: deployment.id,
    appId: args.appId,
    app: args.app,
    env: args.env,
    kind: 'deploy',
    user: post.user,
    message: { channel: post.channel, ts: '' },
    startedAt: new Date(deps.now()).toISOString(),
    ...(args.healthUrl ? { healthUrl: args.healthUrl } : {}),
    ...(args.autoRollback ? { autoRollback: true } : {}),
    ...(post.auditRef ? { auditRef: post.auditRef } : {}),
    ...(post.approvalId ? { approvalId: post.approvalId } : {}),
  };
  record.message = await postMessage(deploymentMessage({ record, deployment, now: deps.now() }));
  await deps.follower.start(record);
  return {
    result: 'succeeded',
    detail: `deployment ${deployment.id} created`,
    doIds: { appId: args.appId, deploymentId: deployment.id },
  };
}

export function deployCommand(deps: DeployCommandDeps): CommandDef<DeployArgs> {
  return {
    name: 'deploy',
    usage: [USAGE],
    summary: 'Deploy an app env (production waits for approval)',
    audited: true,
    parse(text, config) {
      const { words, flags } = tokenize(text, { boolFlags: ['force-build'], usage: USAGE });
      noExtraWords(words, 2, USAGE);
      const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE);
      return {
        app,
        env,
        appId: envConfig.app_id,
        forceBuild: flags.has('force-build'),
        ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
        autoRollback: envConfig.auto_rollback,
        approval: needsApproval(env, envConfig),
      };
    },
    access: (args) => ({ action: 'deploy', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      if (args.approval) return deps.requestApproval(ctx, args);
      return runDeployment(
        deps,
        args,
        { user: ctx.invocation.user, channel: ctx.invocation.channel, auditRef: ctx.auditId },
        (m) => ctx.reply.inChannel(m),
      );
    },
  };
}
