import type { ApprovalService } from '../approvals/service.js';
import { type RunnerDeps, runDeploy } from '../handlers/deploy/runners.js';
import { assertUnlocked, deployBinding } from '../handlers/deploy/start.js';
import { appPlatformAppId } from '../handlers/deploy/target.js';
import { needsApproval } from '../src/config/load.js';
import { shortId } from '../src/render/format.js';
import { askForApproval } from './approval.js';
import { noExtraWords, resolveEnv, tokenize } from './args.js';
import type { CommandDef } from './types.js';

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

export function deployCommand(deps: RunnerDeps & { approvals: ApprovalService }): CommandDef<DeployArgs> {
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
        appId: appPlatformAppId(app, env, envConfig),
        forceBuild: flags.has('force-build'),
        ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
        autoRollback: envConfig.auto_rollback,
        approval: needsApproval(env, envConfig),
      };
    },
    access: (args) => ({ action: 'deploy', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const target = { app: args.app, env: args.env, appId: args.appId };
      if (args.approval) {
        // Checked before an approver is asked, and again when the deploy runs.
        await assertUnlocked(deps.locks, args);
        const binding = await deployBinding(deps.do, args);
        const build = args.forceBuild ? ' with a clean build (--force-build)' : '';
        return askForApproval(ctx, deps.approvals, {
          kind: 'deploy',
          app: args.app,
          env: args.env,
          summary: [
            `New deployment of ${args.app} ${args.env}${build} from the source configured in its App Platform spec (latest commit of its branch, or its image tag).`,
            `${args.env} runs deployment \`${shortId(binding.active_deployment_id)}\` now; if that changes before approval, the request is void.`,
          ].join('\n'),
          binding,
          params: { forceBuild: String(args.forceBuild) },
        });
      }
      const started = await runDeploy(
        deps,
        {
          ...target,
          ...(args.healthUrl ? { healthUrl: args.healthUrl } : {}),
          autoRollback: args.autoRollback,
        },
        {
          user: ctx.invocation.user,
          channel: ctx.invocation.channel,
          command: `${ctx.invocation.commandText} ${ctx.invocation.text}`.trim(),
          post: (m) => ctx.reply.inChannel(m),
          auditRef: ctx.auditId,
        },
        args.forceBuild,
      );
      return { result: 'succeeded', detail: started.detail, doIds: started.doIds };
    },
  };
}
