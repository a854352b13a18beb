import type { KnownBlock } from '@slack/types';
import type { ApprovalStore } from '../../approvals/types.js';
import { formatDuration, shortId } from '../../src/render/format.js';
import { rollbackButton } from '../../src/render/rollback-buttons.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import { verifyPromotion } from '../promote/execute.js';
import { runsShort } from '../rollback/list.js';
import type { AfterFinish } from './follow-deployment.js';
import { type RunnerDeps, runRollbackTo } from './runners.js';

/**
 * What dockside does when a promotion or a rollback deployment ends: check that
 * production runs what was promoted, offer or run a rollback when its health check
 * fails, and offer Commit/Revert after a rollback.
 */
export function createAfterFinish(
  deps: RunnerDeps & { approvals: ApprovalStore; slack: SlackPoster },
): Record<string, AfterFinish> {
  return {
    async promote({ record, deployment, health, ok }) {
      const request = record.approvalId ? await deps.approvals.get(record.approvalId) : null;
      if (!request || deployment.phase !== 'ACTIVE') return undefined;
      const lines: string[] = [];
      let allOk = ok;
      const verified = await verifyPromotion({
        do: deps.do,
        appId: record.appId,
        deploymentId: deployment.id,
        plan: { binding: request.binding },
      });
      if (verified.ok) lines.push(`Verified: ${record.env} runs exactly the promoted builds.`);
      else {
        allOk = false;
        lines.push(
          `:warning: ${record.env} does not run what was promoted: ${verified.mismatches.join('; ')}`,
        );
      }
      const previous = request.binding.to_deployment_id;
      if (health && !health.ok && previous) {
        const target = { app: record.app, env: record.env, appId: record.appId };
        if (record.autoRollback) {
          const started = await runRollbackTo(
            deps,
            target,
            {
              user: record.user,
              channel: record.message.channel || record.channel || '',
              post: (m) => deps.slack.post(record.message.channel || record.channel || '', m),
            },
            previous,
          );
          lines.push(
            `:rewind: auto_rollback is on: rolling back to \`${shortId(previous)}\` (deployment \`${shortId(started.deployment.id)}\`).`,
          );
        } else {
          // The button says what it picks: short id, what it ran, and how old it is.
          const before = await deps.do.getDeployment(record.appId, previous).catch(() => undefined);
          const facts = before
            ? ` (${runsShort(before)}, ${formatDuration(deps.clock.now() - Date.parse(before.createdAt))} ago)`
            : '';
          const actions: KnownBlock = {
            type: 'actions',
            elements: [
              rollbackButton(
                `Roll back to ${shortId(previous)}${facts}`,
                `${record.app} ${record.env} ${previous}`,
                'danger',
              ),
            ],
          };
          lines.push(
            'The health check failed. Roll back to the deployment that ran before (needs approval):',
          );
          return { lines, ok: false, actions };
        }
      }
      return { lines, ok: allOk };
    },
    async rollback({ record, deployment }) {
      if (deployment.phase !== 'ACTIVE') return undefined;
      const label = `${record.app} ${record.env}`;
      return {
        lines: [
          `App Platform pinned ${label} to this rollback: no deployment (manual or on push) runs until you choose.`,
          '*Commit* keeps it and unpins; the lock stays, so nothing deploys over it before a fix (`/unlock` when one is ready).',
          '*Revert* deploys what ran before the rollback and lifts the lock, since the reason for it is gone.',
        ],
        actions: {
          type: 'actions',
          elements: [
            rollbackButton('Commit rollback', `${label} commit`, 'primary'),
            rollbackButton('Revert rollback', `${label} revert`),
          ],
        },
      };
    },
  };
}
