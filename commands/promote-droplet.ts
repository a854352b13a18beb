import type { ApprovalService } from '../approvals/service.js';
import { assertUnlocked } from '../handlers/deploy/start.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import { planDropletPromote } from '../handlers/droplet/promote-plan.js';
import { approvalBinding } from '../handlers/droplet/rollback-execute.js';
import type { DropletRunDeps } from '../handlers/droplet/run.js';
import type { EnvConfig } from '../src/config/schema.js';
import { DocksideError } from '../src/errors.js';
import { dropletPromoteSummary } from '../src/render/droplet-releases.js';
import { askForApproval } from './approval.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** `/promote api` where both envs run on Droplets. */
export interface DropletPromoteArgs {
  droplets: true;
  app: string;
  from: { env: string };
  to: { env: string };
}

export type DropletPromoteDeps = Pick<DropletRunDeps, 'locks'> & {
  targets: Pick<DeployTargets, 'kindOf' | 'droplet'>;
  approvals: Pick<ApprovalService, 'request'>;
};

/**
 * Droplet args when both envs run on Droplets; undefined when both are App Platform apps.
 * One of each is refused: a digest on Droplets and an App Platform deployment are not the
 * same thing to compare or copy.
 */
export function parseDropletPromote(
  app: string,
  from: { env: string; config: EnvConfig | undefined },
  to: { env: string; config: EnvConfig | undefined },
): DropletPromoteArgs | undefined {
  const fromDroplets = Boolean(from.config?.droplets);
  const toDroplets = Boolean(to.config?.droplets);
  if (!fromDroplets && !toDroplets) return undefined;
  if (from.config && to.config && fromDroplets && toDroplets) {
    return { droplets: true, app, from: { env: from.env }, to: { env: to.env } };
  }
  const missing = !from.config ? from.env : !to.config ? to.env : undefined;
  if (missing) {
    throw new DocksideError(
      'promote_not_possible',
      `${app} has no env ${missing}, which its promotion names.`,
      {
        hint: `Fix apps.${app}.promote in dockside.yml.`,
      },
    );
  }
  const [droplets, platform] = fromDroplets ? [from.env, to.env] : [to.env, from.env];
  throw new DocksideError(
    'promote_not_possible',
    `${app} ${droplets} runs on Droplets and ${app} ${platform} on App Platform: /promote copies a release between envs of the same kind.`,
    { hint: `Deploy ${app} ${to.env} with \`/deploy\` instead.` },
  );
}

/** Plans the promotion and asks for approval (always); "nothing to promote" when production runs staging's digests. */
export async function runDropletPromote(
  deps: DropletPromoteDeps,
  ctx: CommandContext,
  args: DropletPromoteArgs,
): Promise<CommandOutcome> {
  const { app } = args;
  // Checked before an approver is asked, and again when the promotion runs.
  await assertUnlocked(deps.locks, { app, env: args.to.env });
  const from = deps.targets.droplet(app, args.from.env);
  const to = deps.targets.droplet(app, args.to.env);
  const promotion = await planDropletPromote(from, to);
  if (promotion.nothingToDo) {
    await ctx.reply.ephemeral({
      text: `${app} ${args.to.env} already runs exactly the digests ${args.from.env} runs; nothing to promote.`,
    });
    return { result: 'succeeded', detail: 'nothing to promote' };
  }
  const { plan, source } = promotion;
  const migrates = ctx.config.apps[app]?.environments[args.to.env]?.droplets?.migrate !== undefined;
  return askForApproval(ctx, deps.approvals, {
    kind: 'promote',
    app,
    env: args.to.env,
    summary: dropletPromoteSummary(
      plan,
      { env: args.from.env, release: source },
      to.describe(plan),
      migrates,
    ),
    binding: approvalBinding(plan),
    params: { from_env: args.from.env },
  });
}
