import type { ApprovalService } from '../approvals/service.js';
import type { RunnerDeps } from '../handlers/deploy/runners.js';
import { assertUnlocked } from '../handlers/deploy/start.js';
import { appPlatformAppId } from '../handlers/deploy/target.js';
import { promotionDrift } from '../handlers/promote/drift.js';
import { planPromotion } from '../handlers/promote/plan.js';
import type { EnvConfig } from '../src/config/schema.js';
import type { AppOpsClient } from '../src/do/app-ops-port.js';
import { DocksideError } from '../src/errors.js';
import { describePlan } from '../src/render/promote.js';
import { describeDrift } from '../src/render/promote-drift.js';
import { askForApproval } from './approval.js';
import { noExtraWords, resolveApp, tokenize } from './args.js';
import {
  type DropletPromoteArgs,
  type DropletPromoteDeps,
  parseDropletPromote,
  runDropletPromote,
} from './promote-droplet.js';
import type { CommandDef } from './types.js';

/** A missing env stays '' for planPromotion to report; a Droplet env is refused. */
function promoteAppId(app: string, env: string, envConfig: EnvConfig | undefined): string {
  return envConfig ? appPlatformAppId(app, env, envConfig) : '';
}

const USAGE = '/promote <app>';

export interface PromoteArgs {
  app: string;
  from: { env: string; appId: string };
  to: { env: string; appId: string };
}

export function promoteCommand(
  deps: RunnerDeps & { approvals: ApprovalService; ops: AppOpsClient } & DropletPromoteDeps,
): CommandDef<PromoteArgs | DropletPromoteArgs> {
  return {
    name: 'promote',
    usage: [USAGE],
    summary: 'Make production run exactly what staging runs (always approved)',
    audited: true,
    parse(text, config) {
      const { words } = tokenize(text, { usage: USAGE });
      noExtraWords(words, 1, USAGE);
      const [app, appConfig] = resolveApp(config, words[0], USAGE);
      if (!appConfig.promote) {
        throw new DocksideError('promote_not_possible', `App \`${app}\` has no promotion configured.`, {
          hint: `Add \`promote: { from: staging, to: production }\` under apps.${app} in dockside.yml.`,
        });
      }
      const { from, to } = appConfig.promote;
      const droplets = parseDropletPromote(
        app,
        { env: from, config: appConfig.environments[from] },
        { env: to, config: appConfig.environments[to] },
      );
      if (droplets) return droplets;
      return {
        app,
        from: { env: from, appId: promoteAppId(app, from, appConfig.environments[from]) },
        to: { env: to, appId: promoteAppId(app, to, appConfig.environments[to]) },
      };
    },
    access: (args) => ({ action: 'promote', app: args.app, env: args.to.env }),
    target: (args) => ({ app: args.app, env: args.to.env }),
    async run(ctx, args) {
      if ('droplets' in args) return runDropletPromote(deps, ctx, args);
      // Checked before an approver is asked, and again when the promotion runs.
      await assertUnlocked(deps.locks, { app: args.app, env: args.to.env });
      const plan = await planPromotion({
        do: deps.do,
        appName: args.app,
        from: args.from,
        to: args.to,
        clock: deps.clock,
        ...(deps.github ? { github: deps.github } : {}),
      });
      if (plan.nothingToDo) {
        await ctx.reply.ephemeral({
          text: `${args.to.env} already runs exactly what ${args.from.env} runs; nothing to promote.`,
        });
        return { result: 'succeeded', detail: 'nothing to promote' };
      }
      if (plan.blockers.length > 0) {
        await ctx.reply.ephemeral({
          text: [`Cannot promote ${args.app} now:`, ...plan.blockers.map((b) => `• ${b}`)].join('\n'),
        });
        return { result: 'refused', detail: plan.blockers.join(' ').slice(0, 300) };
      }
      return askForApproval(ctx, deps.approvals, {
        kind: 'promote',
        app: args.app,
        env: args.to.env,
        summary: [
          ...describePlan(plan),
          ...describeDrift(await promotionDrift(deps, plan), plan.from.env, plan.to.env),
        ].join('\n'),
        binding: plan.binding,
        params: {},
      });
    },
  };
}
