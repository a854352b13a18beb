import type { ApprovalService } from '../approvals/service.js';
import { type RunnerDeps, runRestart } from '../handlers/deploy/runners.js';
import { assertUnlocked } from '../handlers/deploy/start.js';
import { appPlatformAppId } from '../handlers/deploy/target.js';
import { describeRestart, restartBinding } from '../handlers/restart/start.js';
import { needsApproval } from '../src/config/load.js';
import type { AppOpsClient } from '../src/do/app-ops-port.js';
import { DocksideError, usageError } from '../src/errors.js';
import { askForApproval } from './approval.js';
import { noExtraWords, resolveEnv, tokenize, typed } from './args.js';
import type { CommandDef } from './types.js';

const USAGE = '/restart <app> <env> [component]';
/** App Platform's component names (`app_component_base.yml`). */
const COMPONENT = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

export interface RestartArgs {
  app: string;
  env: string;
  appId: string;
  components: string[];
  healthUrl?: string;
  approval: boolean;
}

export function parseRestartArgs(text: string, config: Parameters<CommandDef<RestartArgs>['parse']>[1]) {
  const { words } = tokenize(text, { usage: USAGE });
  noExtraWords(words, 3, USAGE);
  const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE);
  if (envConfig.droplets) {
    // `up -d` of the same release restarts nothing, and a restart outside a release would
    // not be in the release log: say what to do instead of pretending.
    throw new DocksideError(
      'not_available',
      `/restart drives App Platform only; ${app} ${env} runs on Droplets.`,
      {
        hint: `Restart its containers on each host (\`docker compose -p ${envConfig.droplets.project} restart\`), or \`/deploy ${app} ${env} &lt;tag&gt;\` a new release. \`/health ${app} ${env}\` shows each host.`,
      },
    );
  }
  const component = words[2];
  if (component !== undefined && !COMPONENT.test(component)) {
    throw usageError(`${typed(component)} is not a component name (lowercase letters, digits and -).`, USAGE);
  }
  return {
    app,
    env,
    appId: appPlatformAppId(app, env, envConfig),
    components: component ? [component] : [],
    ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
    approval: needsApproval(env, envConfig),
  };
}

export function restartCommand(
  deps: RunnerDeps & { ops: AppOpsClient; approvals: ApprovalService },
): CommandDef<RestartArgs> {
  return {
    name: 'restart',
    usage: [USAGE],
    summary: 'Rolling restart of an env, or of one component (production waits for approval)',
    audited: true,
    parse: parseRestartArgs,
    access: (args) => ({ action: 'restart', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const target = { app: args.app, env: args.env, appId: args.appId };
      if (args.approval) {
        // A locked env is refused now, not after someone approved it.
        await assertUnlocked(deps.locks, target);
        const binding = await restartBinding(deps.do, target, args.components);
        return askForApproval(ctx, deps.approvals, {
          kind: 'restart',
          app: args.app,
          env: args.env,
          summary: [
            `${describeRestart(args.components)} (${args.app} ${args.env})`,
            `${args.env} runs deployment ${binding.active_deployment_id} now; if that changes before approval, the request is void.`,
          ].join('\n'),
          binding,
          params: { components: args.components.join(',') },
        });
      }
      const started = await runRestart(
        deps,
        { ...target, ...(args.healthUrl ? { healthUrl: args.healthUrl } : {}) },
        { user: ctx.invocation.user, post: (m) => ctx.reply.inChannel(m), auditRef: ctx.auditId },
        args.components,
      );
      return { result: 'succeeded', detail: started.detail, doIds: started.doIds };
    },
  };
}
