import { escapeText, formatDuration } from '../../src/render/format.js';
import type { FinishedDeployment } from './follow-deployment.js';
import { failureReason, wentLive } from './watch.js';

/** The first lines of a followed deployment's outcome: how it ended, and after how long. Pure. */
export function outcomeLines(f: FinishedDeployment, now: number): string[] {
  const took = formatDuration(now - Date.parse(f.record.startedAt));
  if (f.timedOut)
    return [`:warning: Still ${f.deployment.phase} after ${took}; dockside stopped following it.`];
  const early = f.record.verify?.endedEarly
    ? [`Verification stopped early: ${f.record.verify.endedEarly}.`]
    : [];
  switch (f.deployment.phase) {
    case 'ACTIVE': {
      const failed = (f.checklist ?? []).filter((i) => !i.ok);
      // Went live when verification began, not when its window ended.
      const liveAt = f.record.verify ? Date.parse(f.record.verify.startedAt) : now;
      const live = formatDuration(liveAt - Date.parse(f.record.startedAt));
      // The first line is also the summary on the approval card: it says when a check failed.
      const lines = [
        failed.length > 0
          ? `:warning: Live after ${live}, but ${failed.length === 1 ? 'a check' : `${failed.length} checks`} failed: ${escapeText(failed.map((i) => i.label).join(', '))}.`
          : `Live after ${live}${f.record.verify?.steps.includes('logs') ? `, verified ${formatDuration(now - liveAt)} later` : ''}.`,
        ...early,
      ];
      if (!f.checklist?.some((i) => i.key.startsWith('health')))
        lines.push('No health_url configured for this env, so no health check ran.');
      return lines;
    }
    case 'SUPERSEDED':
      if (wentLive(f.deployment)) {
        return [
          `Live after ${took}, then a newer deployment replaced it; that one serves now and its own message reports its health.`,
          ...early,
        ];
      }
      return [`Replaced by a newer deployment after ${took}, before it went live.`];
    case 'ERROR':
      return [
        `Failed after ${took}: ${escapeText(failureReason(f.deployment))}`,
        'The previous deployment keeps serving.',
      ];
    case 'CANCELED':
      return [
        `Canceled after ${took}: ${escapeText(f.deployment.cause || 'canceled')}.`,
        'The previous deployment keeps serving.',
      ];
    default:
      return [`Ended as ${f.deployment.phase} after ${took}.`];
  }
}
