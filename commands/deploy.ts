import type { ApprovalService } from '../approvals/service.js';
import { type RunnerDeps, runDeploy } from '../handlers/deploy/runners.js';
import { assertUnlocked, deployBinding } from '../handlers/deploy/start.js';
import { appPlatformAppId } from '../handlers/deploy/target.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import { type DropletRunDeps, runDropletPlan } from '../handlers/droplet/run.js';
import { deployApproval } from '../handlers/droplet/run-deploy.js';
import { needsApproval } from '../src/config/load.js';
import { isDocksideError, usageError } from '../src/errors.js';
import { assertTag } from '../src/registry/image.js';
import { outcomeSummary } from '../src/render/droplet-rollout.js';
import { shortId } from '../src/render/format.js';
import { askForApproval } from './approval.js';
import { noExtraWords, resolveEnv, tokenize, typed } from './args.js';
import type { CommandContext, CommandDef, CommandOutcome } from './types.js';

const USAGE = '/deploy <app> <env> [--force-build]';
const DROPLET_USAGE = '/deploy <app> <env> [tag]  (Droplet envs: images by tag, default latest)';

export interface AppPlatformDeployArgs {
  target: 'app_platform';
  app: string;
  env: string;
  appId: string;
  forceBuild: boolean;
  healthUrl?: string;
  autoRollback: boolean;
  approval: boolean;
}

export interface DropletDeployArgs {
  target: 'droplets';
  app: string;
  env: string;
  /** Validated against Docker's tag grammar: nothing else reaches the registry or a host. */
  tag: string;
  approval: boolean;
}

export type DeployArgs = AppPlatformDeployArgs | DropletDeployArgs;

export type DeployCommandDeps = RunnerDeps &
  Omit<DropletRunDeps, 'slack'> & { approvals: ApprovalService; targets: DeployTargets };

function parseDropletTag(word: string | undefined): string {
  if (word === undefined) return 'latest';
  try {
    return assertTag(word);
  } catch {
    throw usageError(
      `${typed(word.slice(0, 60))} is not an image tag: letters, digits, "_", "." and "-" (at most 128), e.g. \`v1.4.2\`.`,
      DROPLET_USAGE,
    );
  }
}

export function deployCommand(deps: DeployCommandDeps): CommandDef<DeployArgs> {
  async function deployDroplets(ctx: CommandContext, args: DropletDeployArgs): Promise<CommandOutcome> {
    const target = deps.targets.droplet(args.app, args.env);
    // A locked env is refused before the registry or a host is asked anything.
    await assertUnlocked(deps.locks, args);
    if (args.approval) {
      // An approver must see what runs now: a host that cannot be reached or read (an
      // unknown host key) stops the request here, naming the host. Hosts that drifted
      // apart do not: the deploy brings them together.
      await target.currentRelease().catch((err: unknown) => {
        if (!isDocksideError(err, 'deploy_failed')) throw err;
      });
    }
    const plan = await target.planDeploy({ tag: args.tag });
    if (args.approval) {
      return askForApproval(ctx, deps.approvals, {
        kind: 'deploy',
        app: args.app,
        env: args.env,
        ...deployApproval(target, plan, args.tag),
      });
    }
    const result = await runDropletPlan({ ...deps, slack: ctx.slack }, plan, {
      user: ctx.invocation.user,
      channel: ctx.invocation.channel,
      command: `${ctx.invocation.commandText} ${ctx.invocation.text}`.trim(),
      post: (m) => ctx.reply.inChannel(m),
      auditRef: ctx.auditId,
    });
    return {
      result: result.ok ? 'succeeded' : 'failed',
      detail: outcomeSummary(args.app, args.env, result),
      data: { releaseId: plan.release.id },
    };
  }

  return {
    name: 'deploy',
    usage: [USAGE, DROPLET_USAGE],
    summary: 'Deploy an app env (production waits for approval)',
    audited: true,
    parse(text, config) {
      const { words, flags } = tokenize(text, { boolFlags: ['force-build'], usage: USAGE });
      const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE);
      if (envConfig.droplets) {
        noExtraWords(words, 3, DROPLET_USAGE);
        if (flags.has('force-build')) {
          throw usageError(
            `\`--force-build\` is for App Platform envs; ${app} ${env} runs images from a registry, by tag.`,
            DROPLET_USAGE,
          );
        }
        return {
          target: 'droplets',
          app,
          env,
          tag: parseDropletTag(words[2]),
          approval: needsApproval(env, envConfig),
        };
      }
      noExtraWords(words, 2, USAGE);
      return {
        target: 'app_platform',
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
      if (args.target === 'droplets') return deployDroplets(ctx, args);
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
