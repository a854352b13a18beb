import type { KnownBlock } from '@slack/types';
import type { WatchRecord } from '../../handlers/deploy/watchers.js';
import type { Deployment } from '../do/port.js';
import type { SlackMessage } from '../slack/reply.js';
import { deploymentLink, deploymentTitle } from './deployment.js';
import { escapeText, formatDuration, mention, phaseIcon, truncate } from './format.js';

/**
 * The replies in a deployment's thread: what it is (first reply), one per phase it enters,
 * and the details of how it ended. The channel line (deployment.ts) only summarises them.
 */

/** Section text holds 3,000 characters; lines are packed into as many sections as they need. */
const SECTION_CHARS = 2900;

export function sections(lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  const flush = () => {
    if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
    current = '';
  };
  for (const raw of lines) {
    const line = truncate(raw, SECTION_CHARS);
    if (current && current.length + 1 + line.length > SECTION_CHARS) flush();
    current = current ? `${current}\n${line}` : line;
  }
  flush();
  // Slack allows 50 blocks a message; far more than any outcome needs.
  return blocks.slice(0, 50);
}

/** First reply: who asked, which deployment, what DigitalOcean says caused it, what it changes. */
export function deploymentStartReply(
  record: WatchRecord,
  deployment?: Deployment,
  /** Given: the reply also says the phase the deployment is in now (one reply, not two at once). */
  now?: number,
): SlackMessage {
  // A deployment nobody asked dockside for (a push, the console) has no requester to name.
  const head = [
    record.user ? `Requested by ${mention(record.user)}` : 'Not started by dockside',
    deploymentLink(record),
    deployment?.cause ? escapeText(deployment.cause) : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    text: `${deploymentTitle(record)}: started`,
    blocks: sections([
      head,
      ...(record.lines ?? []),
      ...(deployment && now !== undefined ? [phaseLine(record, deployment, now)] : []),
    ]),
  };
}

/** The key under which a phase's reply is claimed, so each phase is told once. */
export function phaseReplyKey(deployment: Deployment): string {
  return `phase:${deployment.phase}`;
}

/** One reply when the deployment enters a phase: the phase, its steps, what runs now, and when. */
export function deploymentPhaseReply(record: WatchRecord, deployment: Deployment, now: number): SlackMessage {
  return {
    text: `${deploymentTitle(record)}: ${deployment.phase}`,
    blocks: sections([phaseLine(record, deployment, now)]),
  };
}

function phaseLine(record: WatchRecord, deployment: Deployment, now: number): string {
  const { progress } = deployment;
  const steps = progress.totalSteps ? `, ${progress.successSteps}/${progress.totalSteps} steps done` : '';
  // Steps nest ("build", "build / components / web"): the innermost running ones say what runs.
  const names = progress.steps.filter((s) => s.status === 'RUNNING').map((s) => s.name);
  const running = names
    .filter((n) => !names.some((other) => other.startsWith(`${n} / `)))
    .map((n) => `\`${escapeText(n, 'code')}\``);
  const doing = running.length > 0 ? `; running ${running.join(', ')}` : '';
  const at = formatDuration(now - Date.parse(record.startedAt));
  return `${phaseIcon(deployment.phase)} ${deployment.phase} after ${at}${steps}${doing}`;
}

/** A notable event between the phases (its text is mrkdwn the caller escaped). */
export function deploymentNoteReply(record: WatchRecord, text: string): SlackMessage {
  return { text: `${deploymentTitle(record)}: ${truncate(text, 150)}`, blocks: sections([text]) };
}

/** Only a Slack user can be pinged; a requester such as "autodeploy" or "dockside" is not one. */
export function canPing(user: string): boolean {
  return mention(user).startsWith('<@');
}

/**
 * Last reply: every outcome line (failure reason and log excerpt, health result, what a
 * promotion or rollback needs next). When someone has to act, it names the requester: a
 * mention in a thread notifies, an edited channel line does not.
 */
export function deploymentFinalReply(
  record: WatchRecord,
  outcome: { ok: boolean; lines: string[] },
  hasActions: boolean,
): SlackMessage {
  return finalReply(deploymentTitle(record), record.user, outcome, hasActions);
}

/** The last reply of any line's thread (App Platform deployment, Droplet rollout): `title` says what it is about. */
export function finalReply(
  title: string,
  user: string,
  outcome: { ok: boolean; lines: string[] },
  hasActions = false,
): SlackMessage {
  const needsSomeone = (!outcome.ok || hasActions) && canPing(user);
  const lines = [...outcome.lines];
  if (hasActions) lines.push('The buttons are on the message at the top of this thread.');
  if (needsSomeone) lines[0] = `${mention(user)} ${lines[0] ?? ''}`.trimEnd();
  return {
    // Not the line's "…: done" text: a search for the line must not find this reply.
    text: `${title}: ${outcome.ok ? 'done' : 'failed'}, the details`,
    blocks: sections(lines.length > 0 ? lines : [outcome.ok ? 'Done.' : 'Failed.']),
  };
}
