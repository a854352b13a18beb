import type { KnownBlock } from '@slack/types';
import type { ApprovalStore } from '../../approvals/types.js';
import { rollbackButton } from '../../src/render/rollback-buttons.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import { verifyPromotion } from '../promote/execute.js';
import { rollBackToPreviousButton } from '../rollback/list.js';
import { autoRollBack } from './auto-rollback.js';
import type { AfterFinish, AfterFinishResult, FinishedDeployment } from './follow-types.js';
import type { RunnerDeps } from './runners.js';

type Deps = RunnerDeps & { approvals: ApprovalStore; slack: SlackPoster };

/**
 * A live deployment whose checks failed (health, or a `verify:` item): with
 * auto_rollback, roll back to `previous` at once (as an approved action would: the
 * approval of the deploy covered "and undo it if it fails"); otherwise offer a
 * "Roll back" button, which runs `/rollback` and so goes through the usual approval in
 * production.
 */
async function rollBackOrOffer(
  deps: Deps,
  finished: FinishedDeployment,
  previous: string | null | undefined,
  lines: string[],
): Promise<AfterFinishResult> {
  const { record } = finished;
  if (!previous) {
    lines.push(':warning: A check failed and there is no earlier live deployment to roll back to.');
    return { lines, ok: false };
  }
  if (record.autoRollback) {
    lines.push(await autoRollBack(deps, finished, previous));
    return { lines, ok: false };
  }
  const actions: KnownBlock = {
    type: 'actions',
    elements: [await rollBackToPreviousButton(deps, record, previous)],
  };
  const what = finished.health && !finished.health.ok ? 'The health check failed' : 'A check failed';
  lines.push(`${what}. Roll back to the deployment that ran before (needs approval in production):`);
  return { lines, ok: false, actions };
}

/**
 * What dockside does when a followed deployment ends: check that production runs what
 * was promoted, roll back or offer a rollback when a check after a deploy or promotion
 * fails, and offer Commit/Revert after a rollback.
 */
export function createAfterFinish(deps: Deps): Record<string, AfterFinish> {
  return {
    async deploy(finished) {
      // Started before a takeover: whatever the phase now (its rollback may serve already), say which.
      const { rollingBack } = finished.record;
      if (rollingBack) return rollBackOrOffer(deps, finished, rollingBack.to, []);
      if (finished.deployment.phase !== 'ACTIVE' || finished.ok) return undefined;
      return rollBackOrOffer(deps, finished, finished.previousDeploymentId, []);
    },
    async promote(finished) {
      const { record, deployment } = finished;
      if (record.rollingBack && deployment.phase !== 'ACTIVE')
        return rollBackOrOffer(deps, finished, record.rollingBack.to, []);
      const request = record.approvalId ? await deps.approvals.get(record.approvalId) : null;
      if (!request || deployment.phase !== 'ACTIVE') return undefined;
      const lines: string[] = [];
      const verified = await verifyPromotion({
        do: deps.do,
        appId: record.appId,
        deploymentId: deployment.id,
        plan: { binding: request.binding },
      });
      if (verified.ok) lines.push(`Verified: ${record.env} runs exactly the promoted builds.`);
      else {
        lines.push(
          `:warning: ${record.env} does not run what was promoted: ${verified.mismatches.join('; ')}`,
        );
      }
      if (!finished.ok) {
        // What production ran when the promotion was approved is what it goes back to.
        const bound = request.binding.to_deployment_id;
        const previous = bound && bound !== 'none' ? bound : finished.previousDeploymentId;
        return rollBackOrOffer(deps, finished, previous, lines);
      }
      return { lines, ok: verified.ok };
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
