import type { KnownBlock } from '@slack/types';
import type { ApprovalService } from '../approvals/service.js';
import {
  type EnvTarget,
  type RunnerDeps,
  runCommitRollback,
  runRevertRollback,
} from '../handlers/deploy/runners.js';
import { appPlatformAppId } from '../handlers/deploy/target.js';
import { describeCandidate } from '../handlers/rollback/describe.js';
import { listRollbackCandidates } from '../handlers/rollback/list.js';
import { refuseIfLockedByPerson } from '../handlers/rollback/run.js';
import { needsApproval } from '../src/config/load.js';
import { DocksideError } from '../src/errors.js';
import { describeLock } from '../src/locks/describe.js';
import { formatDuration, mention, plural, shortId, truncate } from '../src/render/format.js';
import { rollbackButton } from '../src/render/rollback-buttons.js';
import type { SlackMessage } from '../src/slack/reply.js';
import { askForApproval } from './approval.js';
import { noExtraWords, resolveEnv, tokenize, typed } from './args.js';
import { carryOut, commandContext } from './carry-out.js';
import {
  type DropletRollbackArgs,
  type DropletRollbackDeps,
  listReleasesToPick,
  parseDropletRollback,
} from './rollback-droplet.js';
import type { CommandContext, CommandDef, CommandOutcome } from './types.js';

const USAGE = [
  '/rollback <app> <env> [deployment-id]',
  '/rollback <app> <env> commit',
  '/rollback <app> <env> revert',
  '/rollback <app> <env> [release-id]   (Droplet envs: a release of the release log)',
];

/** A list's buttons act only while the list is current: newer than this, and the env unchanged. */
export const ROLLBACK_LIST_TTL_MS = 15 * 60_000;

export interface RollbackArgs {
  target: EnvTarget;
  approval: boolean;
  step: { kind: 'list' } | { kind: 'to'; deploymentId: string } | { kind: 'commit' } | { kind: 'revert' };
  /** Set by a list's button: what was active when the list was shown, and when. */
  fromList?: { activeId: string; at: number };
}

/** `--list <active id>@<ms>`: the state a list's button was made in. */
function parseListToken(value: string | true | undefined, label: string): RollbackArgs['fromList'] {
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9a-z-]{1,64})@(\d{10,16})$/i.exec(value);
  if (!match) {
    throw new DocksideError('usage', 'That button does not come from a dockside list.', {
      hint: `Run \`/rollback ${label}\` for a current list.`,
    });
  }
  return { activeId: match[1] ?? '', at: Number(match[2]) };
}

export function rollbackCommand(
  deps: RunnerDeps & { approvals: Pick<ApprovalService, 'request'> } & DropletRollbackDeps,
): CommandDef<RollbackArgs | DropletRollbackArgs> {
  const command: CommandDef<RollbackArgs | DropletRollbackArgs> = {
    name: 'rollback',
    usage: USAGE,
    summary: 'Roll an env back to an earlier deployment (production is approved)',
    audited: true,
    parse(text, config) {
      const { words, flags } = tokenize(text, { valueFlags: ['list'], usage: USAGE[0] ?? '' });
      noExtraWords(words, 3, USAGE[0] ?? '');
      const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE[0] ?? '');
      const third = words[2];
      // From the config, as parse() touches no dependency: the kind deps.targets.get() builds.
      if (envConfig.droplets) {
        const fromList = parseListToken(flags.get('list'), `${app} ${env}`);
        return parseDropletRollback({
          app,
          env,
          approval: needsApproval(env, envConfig),
          ...(third !== undefined ? { third } : {}),
          ...(fromList ? { fromList } : {}),
        });
      }
      const step: RollbackArgs['step'] =
        third === undefined
          ? { kind: 'list' }
          : third === 'commit' || third === 'revert'
            ? { kind: third }
            : /^[0-9a-f-]{6,64}$/i.test(third)
              ? { kind: 'to', deploymentId: third }
              : (() => {
                  throw new DocksideError('usage', `${typed(third)} is not a deployment id.`, {
                    hint: `Run \`/rollback ${app} ${env}\` to pick one from the list.`,
                  });
                })();
      const fromList = parseListToken(flags.get('list'), `${app} ${env}`);
      return {
        target: {
          app,
          env,
          appId: appPlatformAppId(app, env, envConfig),
          ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
        },
        approval: needsApproval(env, envConfig),
        step,
        ...(fromList ? { fromList } : {}),
      };
    },
    access: (args) => ({ action: 'rollback', app: args.target.app, env: args.target.env }),
    target: (args) => ({ app: args.target.app, env: args.target.env }),
    async run(ctx, args) {
      if ('droplets' in args) {
        if (!args.releaseId) return listReleasesToPick(deps, ctx, args, ROLLBACK_LIST_TTL_MS);
        return rollbackTo(ctx, args.target, args.releaseId, args);
      }
      const { target, step } = args;
      if (step.kind === 'list') {
        await ctx.reply.ephemeral(await rollbackList(deps, args));
        return { result: 'succeeded', detail: 'listed rollback candidates' };
      }
      if (step.kind === 'commit') {
        const result = await runCommitRollback(deps, target);
        await ctx.reply.inChannel({ text: `:pushpin: ${mention(ctx.invocation.user)}: ${result.message}` });
        return {
          result: 'succeeded',
          detail: result.message,
          doIds: { appId: target.appId, deploymentId: result.pinnedDeploymentId },
        };
      }
      if (step.kind === 'revert') return revert(ctx, target, args.approval);
      return rollbackTo(ctx, target, step.deploymentId, args);
    },
  };
  return command;

  /** Back to a deployment (App Platform) or a release of the log (Droplets): through the env's target. */
  async function rollbackTo(
    ctx: CommandContext,
    where: { app: string; env: string },
    to: string,
    args: { approval: boolean; fromList?: { activeId: string; at: number } },
  ): Promise<CommandOutcome> {
    const label = `${where.app} ${where.env}`;
    if (args.fromList && deps.clock.now() - args.fromList.at > ROLLBACK_LIST_TTL_MS) {
      throw new DocksideError(
        'rollback_invalid',
        `That list of ${label} is ${formatDuration(deps.clock.now() - args.fromList.at)} old, so its buttons no longer act.`,
        { hint: `Run \`/rollback ${label}\` for a current list.` },
      );
    }
    const request = {
      kind: 'rollback' as const,
      to,
      ...(args.fromList ? { listState: args.fromList.activeId } : {}),
    };
    return carryOut(ctx, deps.approvals, deps.targets.get(where.app, where.env), request, args.approval);
  }

  /** Undoes an App Platform rollback: the spec from before it, deployed anew (pins are App Platform's own). */
  async function revert(ctx: CommandContext, target: EnvTarget, approval: boolean): Promise<CommandOutcome> {
    const label = `${target.app} ${target.env}`;
    if (!approval) {
      const started = await runRevertRollback(deps, target, commandContext(ctx));
      return { result: 'succeeded', detail: started.detail, doIds: started.doIds };
    }
    // A revert deploys to production: same approval and the same respect for a person's lock as a deploy.
    await refuseIfLockedByPerson({
      do: deps.do,
      locks: deps.locks,
      appName: target.app,
      env: target.env,
      appId: target.appId,
    });
    const app = await deps.do.getApp(target.appId);
    const pinned = app.pinnedDeployment?.id;
    if (!pinned) {
      throw new DocksideError(
        'rollback_invalid',
        `${label} is not pinned to a rollback, so there is nothing to revert.`,
      );
    }
    return askForApproval(ctx, deps.approvals, {
      kind: 'revert',
      app: target.app,
      env: target.env,
      summary: [
        `Revert the rollback of ${label}: a new deployment of the app spec from before the rollback, replacing rollback deployment \`${shortId(pinned)}\`.`,
        `${target.env} is unpinned and the lock dockside took for the rollback is lifted.`,
      ].join('\n'),
      binding: { app_id: target.appId, env: target.env, pinned_deployment_id: pinned },
      params: {},
    });
  }
}

/** The list to pick from: one labelled button per deployment that can be rolled back to. */
async function rollbackList(deps: RunnerDeps, args: RollbackArgs): Promise<SlackMessage> {
  const { target } = args;
  const label = `${target.app} ${target.env}`;
  const [candidates, lock] = await Promise.all([
    listRollbackCandidates({ do: deps.do, appId: target.appId, limit: 10, clock: deps.clock }),
    deps.locks.get(target.app, target.env),
  ]);
  const activeId = candidates.find((c) => c.active)?.id ?? 'none';
  const token = `--list ${activeId}@${deps.clock.now()}`;
  const how = args.approval
    ? 'Picking one asks for approval first.'
    : `Picking one rolls back at once (after you confirm) and locks ${label}.`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Last ${plural(candidates.length, 'deployment')} of ${label}* (newest first). ${how} ` +
          `The buttons act for ${formatDuration(ROLLBACK_LIST_TTL_MS)}, and only while ${label} runs what it runs now.`,
      },
    },
  ];
  if (lock) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:lock: ${label} is ${describeLock(lock)}. Rollbacks are refused until \`/unlock ${label}\`.`,
      },
    });
  }
  for (const c of candidates) {
    const what = `${shortId(c.id)} (${c.runsShort}, ${c.age})`;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(describeCandidate(c), 2900) },
      ...(c.selectable
        ? {
            accessory: rollbackButton(
              `Roll back to ${what}`,
              `${target.app} ${target.env} ${c.id} ${token}`,
              undefined,
              args.approval
                ? undefined
                : {
                    title: `Roll back ${label}?`,
                    text:
                      `Roll ${label} back to \`${shortId(c.id)}\` (${c.runsShort}, ${c.age}) now. App Platform pins the app ` +
                      `to it and dockside locks ${label} until you commit or revert.` +
                      (c.sameAsActive ? ' It runs the same code as now: this changes no code.' : ''),
                    confirm: 'Roll back',
                  },
            ),
          }
        : {}),
    });
  }
  return { text: `Deployments of ${label}`, blocks: blocks.slice(0, 50) };
}
