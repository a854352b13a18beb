import type { RolloutEvent } from '../../handlers/deploy/target.js';
import type { SlackMessage } from '../slack/reply.js';
import { finalReply, sections } from './deployment-thread.js';
import {
  changeLine,
  type DropletRolloutView,
  type HostState,
  outcomeLines,
  rolloutTitle,
  STEP_WORDS,
} from './droplet-rollout.js';
import { escapeText, formatDuration, mention, truncate } from './format.js';
import { codeSpan as code } from './logs.js';

/**
 * The replies in a Droplet rollout's thread, as for an App Platform deployment
 * (deployment-thread.ts): who asked and what changes, one reply per host step that
 * matters, and the outcome, which mentions the requester when it failed.
 */

type ThreadView = Pick<
  DropletRolloutView,
  'kind' | 'app' | 'env' | 'user' | 'releaseId' | 'changes' | 'command' | 'lines'
>;

/** First reply: who asked, with which command, the release, and what it changes on every host. */
export function dropletStartReply(view: ThreadView): SlackMessage {
  const head = [
    `Requested by ${mention(view.user)}`,
    view.command ? code(view.command) : undefined,
    `release ${code(view.releaseId)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    text: `${rolloutTitle(view)}: started`,
    blocks: sections([head, ...(view.lines ?? []), ...view.changes.map(changeLine)]),
  };
}

/** The steps a host reply is posted for (besides a host's first one): the rest are polls of the same work. */
const TOLD: ReadonlySet<RolloutEvent['step']> = new Set(['migrate', 'host_done', 'host_failed']);

/**
 * The thread line for `event`, or undefined when it is not worth a reply: a host's first
 * step (it is under way), the migration, done, failed, and the start of going back.
 */
export function hostStepLine(
  event: RolloutEvent,
  before: HostState | undefined,
  elapsedMs: number,
): string | undefined {
  if (!event.host) return undefined;
  const first = before === undefined;
  const goingBack = event.step === 'restore' && before?.step !== 'restore';
  if (!first && !goingBack && !TOLD.has(event.step)) return undefined;
  const icon =
    event.step === 'host_done'
      ? ':white_check_mark:'
      : event.step === 'host_failed'
        ? ':x:'
        : event.step === 'restore'
          ? ':leftwards_arrow_with_hook:'
          : ':arrow_forward:';
  const detail = event.detail ? `: ${escapeText(truncate(event.detail, 300))}` : '';
  return `${icon} ${code(event.host)} ${STEP_WORDS[event.step]}${detail} (${formatDuration(elapsedMs)})`;
}

/** Host steps that came within one interval, told in one reply (chat.postMessage is ~1/s per channel). */
export function dropletStepsReply(view: ThreadView, lines: string[]): SlackMessage {
  return {
    text: `${rolloutTitle(view)}: host progress`,
    blocks: sections(lines),
  };
}

/**
 * Last reply: which host failed and why, the scrubbed log tail, the hosts put back or not,
 * what health_url answered (outcomeLines); the requester is mentioned when it failed.
 */
export function dropletFinalReply(
  view: ThreadView & Pick<DropletRolloutView, 'result' | 'error'>,
): SlackMessage {
  const lines = view.result ? outcomeLines(view, view.result) : [escapeText(view.error ?? 'Stopped.')];
  return finalReply(rolloutTitle(view), view.user, { ok: view.result?.ok === true, lines });
}
