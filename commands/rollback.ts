import type { KnownBlock } from '@slack/types';
import type { ApprovalService } from '../approvals/service.js';
import { describeCandidate, describeRollbackCheck } from '../handlers/rollback/describe.js';
import { listRollbackCandidates } from '../handlers/rollback/list.js';
import { validateRollback } from '../handlers/rollback/validate.js';
import { needsApproval } from '../src/config/load.js';
import { DocksideError } from '../src/errors.js';
import { truncate } from '../src/render/format.js';
import { rollbackButton } from '../src/render/rollback-buttons.js';
import {
  type EnvTarget,
  type RunnerDeps,
  runCommitRollback,
  runRevertRollback,
  runRollbackTo,
} from '../src/runners.js';
import { askForApproval } from './approval.js';
import { noExtraWords, resolveEnv, tokenize } from './args.js';
import type { CommandDef } from './types.js';

const USAGE = [
  '/rollback <app> <env> [deployment-id]',
  '/rollback <app> <env> commit',
  '/rollback <app> <env> revert',
];

export interface RollbackArgs {
  target: EnvTarget;
  approval: boolean;
  step: { kind: 'list' } | { kind: 'to'; deploymentId: string } | { kind: 'commit' } | { kind: 'revert' };
}

export function rollbackCommand(deps: RunnerDeps & { approvals: ApprovalService }): CommandDef<RollbackArgs> {
  return {
    name: 'rollback',
    usage: USAGE,
    summary: 'Roll an env back to an earlier deployment (production is approved)',
    audited: true,
    parse(text, config) {
      const { words } = tokenize(text, { usage: USAGE[0] ?? '' });
      noExtraWords(words, 3, USAGE[0] ?? '');
      const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE[0] ?? '');
      const third = words[2];
      const step: RollbackArgs['step'] =
        third === undefined
          ? { kind: 'list' }
          : third === 'commit' || third === 'revert'
            ? { kind: third }
            : /^[0-9a-f-]{6,64}$/i.test(third)
              ? { kind: 'to', deploymentId: third }
              : (() => {
                  throw new DocksideError('usage', `\`${third}\` is not a deployment id.`, {
                    hint: `Run \`/rollback ${app} ${env}\` to pick one from the list.`,
                  });
                })();
      return {
        target: {
          app,
          env,
          appId: envConfig.app_id,
          ...(envConfig.health_url ? { healthUrl: envConfig.health_url } : {}),
        },
        approval: needsApproval(env, envConfig),
        step,
      };
    },
    access: (args) => ({ action: 'rollback', app: args.target.app, env: args.target.env }),
    target: (args) => ({ app: args.target.app, env: args.target.env }),
    async run(ctx, args) {
      const { target, step } = args;
      const label = `${target.app} ${target.env}`;
      const run = {
        user: ctx.invocation.user,
        post: (m: Parameters<typeof ctx.reply.inChannel>[0]) => ctx.reply.inChannel(m),
        auditRef: ctx.auditId,
      };
      if (step.kind === 'list') {
        const candidates = await listRollbackCandidates({
          do: deps.do,
          appId: target.appId,
          limit: 10,
          clock: deps.clock,
        });
        const blocks: KnownBlock[] = [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `*Last ${candidates.length} deployments of ${label}* (newest first):`,
            },
          },
        ];
        for (const c of candidates) {
          blocks.push({
            type: 'section',
            text: { type: 'mrkdwn', text: truncate(describeCandidate(c), 2900) },
            ...(c.selectable
              ? { accessory: rollbackButton('Roll back to this', `${target.app} ${target.env} ${c.id}`) }
              : {}),
          });
        }
        await ctx.reply.ephemeral({ text: `Deployments of ${label}`, blocks: blocks.slice(0, 50) });
        return { result: 'succeeded', detail: 'listed rollback candidates' };
      }
      if (step.kind === 'commit') {
        const result = await runCommitRollback(deps, target);
        await ctx.reply.inChannel({ text: `:pushpin: <@${ctx.invocation.user}>: ${result.message}` });
        return {
          result: 'succeeded',
          detail: result.message,
          doIds: { appId: target.appId, deploymentId: result.pinnedDeploymentId },
        };
      }
      if (step.kind === 'revert') {
        const started = await runRevertRollback(deps, target, run);
        return { result: 'succeeded', detail: started.detail, doIds: started.doIds };
      }
      const check = await validateRollback({
        do: deps.do,
        appId: target.appId,
        deploymentId: step.deploymentId,
        appName: target.app,
        env: target.env,
      });
      if (!check.valid) {
        throw new DocksideError(
          'rollback_invalid',
          `Cannot roll ${label} back to ${check.deployment.id}: ${check.errorMessage ?? 'App Platform refused it'}`,
          {
            hint: `\`/rollback ${label}\` lists deployments you can pick.`,
          },
        );
      }
      if (args.approval) {
        return askForApproval(ctx, deps.approvals, {
          kind: 'rollback',
          app: target.app,
          env: target.env,
          summary: describeRollbackCheck(check, { appName: target.app, env: target.env }).join('\n'),
          binding: {
            app_id: target.appId,
            env: target.env,
            active_deployment_id: check.activeDeploymentId ?? 'none',
            target_deployment_id: check.deployment.id,
          },
          params: {},
        });
      }
      const started = await runRollbackTo(deps, target, run, check.deployment.id);
      return { result: 'succeeded', detail: started.detail, doIds: started.doIds };
    },
  };
}
