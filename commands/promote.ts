import type { ApprovalService } from '../approvals/service.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import { DocksideError } from '../src/errors.js';
import { noExtraWords, resolveApp, tokenize } from './args.js';
import { carryOut } from './carry-out.js';
import { type DropletPromoteArgs, parseDropletPromote } from './promote-parse.js';
import type { CommandDef } from './types.js';

const USAGE = '/promote <app>';

export interface PromoteArgs {
  app: string;
  from: { env: string };
  to: { env: string };
}

export function promoteCommand(deps: {
  approvals: Pick<ApprovalService, 'request'>;
  targets: Pick<DeployTargets, 'get'>;
}): CommandDef<PromoteArgs | DropletPromoteArgs> {
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
      // An env the promotion names but the config lacks is refused, naming it, when its target is looked up.
      return { app, from: { env: from }, to: { env: to } };
    },
    access: (args) => ({ action: 'promote', app: args.app, env: args.to.env }),
    target: (args) => ({ app: args.app, env: args.to.env }),
    async run(ctx, args) {
      // Both envs are of the same kind (parse refused a mix); production always waits for approval.
      const target = deps.targets.get(args.app, args.to.env);
      return carryOut(ctx, deps.approvals, target, { kind: 'promote', from: args.from.env }, true);
    },
  };
}
