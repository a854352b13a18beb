import type { ApprovalService } from '../approvals/service.js';
import { assertUnlocked } from '../handlers/deploy/start.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import { approvalBinding } from '../handlers/droplet/rollback-execute.js';
import { listDropletReleases, RELEASE_ID } from '../handlers/droplet/rollback-list.js';
import { planDropletRollback } from '../handlers/droplet/rollback-plan.js';
import { type DropletRunDeps, runDropletPlan } from '../handlers/droplet/run.js';
import { DocksideError } from '../src/errors.js';
import { dropletReleaseList, dropletRollbackSummary } from '../src/render/droplet-releases.js';
import { outcomeSummary } from '../src/render/droplet-rollout.js';
import { formatDuration } from '../src/render/format.js';
import { askForApproval } from './approval.js';
import { typed } from './args.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** `/rollback api production [release-id]` on a Droplet env. */
export interface DropletRollbackArgs {
  droplets: true;
  target: { app: string; env: string };
  approval: boolean;
  /** Absent: list the release log to pick from. */
  releaseId?: string;
  /** Set by a list's button: the release the hosts ran when the list was shown, and when. */
  fromList?: { activeId: string; at: number };
}

export type DropletRollbackDeps = Omit<DropletRunDeps, 'slack'> & {
  targets: Pick<DeployTargets, 'droplet'>;
  approvals: Pick<ApprovalService, 'request'>;
};

/** The third word: a release id of the log. `commit`/`revert` are App Platform's pins, which Droplets have none of. */
export function parseDropletRollback(input: {
  app: string;
  env: string;
  approval: boolean;
  third?: string;
  fromList?: { activeId: string; at: number };
}): DropletRollbackArgs {
  const { app, env, third } = input;
  if (third === 'commit' || third === 'revert') {
    throw new DocksideError(
      'usage',
      `${app} ${env} runs on Droplets, where a rollback is a release like any other: there is no pin to ${third}.`,
      {
        hint: `To go forward again, \`/rollback ${app} ${env}\` and pick the newer release, or \`/deploy ${app} ${env}\`.`,
      },
    );
  }
  if (third !== undefined && !RELEASE_ID.test(third)) {
    throw new DocksideError(
      'usage',
      `${typed(third)} is not a release id (they look like \`r20261130T122530-ab12\`).`,
      {
        hint: `Run \`/rollback ${app} ${env}\` to pick one from the list.`,
      },
    );
  }
  return {
    droplets: true,
    target: { app, env },
    approval: input.approval,
    ...(third ? { releaseId: third } : {}),
    ...(input.fromList ? { fromList: input.fromList } : {}),
  };
}

/** A list token names a release id or `none`; anything else would not survive a click. */
const LIST_STATE = /^[0-9a-z-]{1,64}$/i;

export async function runDropletRollback(
  deps: DropletRollbackDeps,
  ctx: CommandContext,
  args: DropletRollbackArgs,
  ttlMs: number,
): Promise<CommandOutcome> {
  const { app, env } = args.target;
  const label = `${app} ${env}`;
  const target = deps.targets.droplet(app, env);
  if (!args.releaseId) {
    const [list, lock] = await Promise.all([listDropletReleases(target), deps.locks.get(app, env)]);
    const state = list.currentId && LIST_STATE.test(list.currentId) ? list.currentId : undefined;
    await ctx.reply.ephemeral(
      dropletReleaseList({
        app,
        env,
        list,
        approval: args.approval,
        lock,
        ttlMs,
        now: deps.clock.now(),
        ...(state ? { token: `--list ${state}@${deps.clock.now()}` } : {}),
      }),
    );
    return { result: 'succeeded', detail: 'listed releases' };
  }
  if (args.fromList && deps.clock.now() - args.fromList.at > ttlMs) {
    throw new DocksideError(
      'rollback_invalid',
      `That list of ${label} is ${formatDuration(deps.clock.now() - args.fromList.at)} old, so its buttons no longer act.`,
      { hint: `Run \`/rollback ${label}\` for a current list.` },
    );
  }
  // Checked before anything is asked of an approver, and again when the rollback runs.
  await assertUnlocked(deps.locks, { app, env });
  const { plan, record } = await planDropletRollback({
    target,
    releaseId: args.releaseId,
    ...(args.fromList ? { listState: args.fromList.activeId } : {}),
  });
  if (args.approval) {
    return askForApproval(ctx, deps.approvals, {
      kind: 'rollback',
      app,
      env,
      summary: dropletRollbackSummary(plan, record, target.describe(plan)),
      binding: approvalBinding(plan),
      params: { release_id: record.id },
    });
  }
  const result = await runDropletPlan({ ...deps, slack: ctx.slack }, plan, {
    user: ctx.invocation.user,
    channel: ctx.invocation.channel,
    command: `${ctx.invocation.commandText} ${ctx.invocation.text.replace(/\s--list\s\S+/, '')}`.trim(),
    post: (m) => ctx.reply.inChannel(m),
    auditRef: ctx.auditId,
  });
  return {
    result: result.ok ? 'succeeded' : 'failed',
    detail: outcomeSummary(app, env, result),
    data: { releaseId: plan.release.id },
  };
}
