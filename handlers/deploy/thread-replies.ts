import { type Deployment, TERMINAL_PHASES } from '../../src/do/port.js';
import type { Logger } from '../../src/logger.js';
import {
  canPing,
  deploymentNoteReply,
  deploymentPhaseReply,
  deploymentStartReply,
  phaseReplyKey,
} from '../../src/render/deployment-thread.js';
import { escapeText } from '../../src/render/format.js';
import type { MessageRef, SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { slackErrorCode, withSlackRetry } from '../../src/slack/retry.js';
import type { FinishedDeployment } from './follow-types.js';
import { failureReason, wentLive } from './watch.js';
import type { FinalOutcome, WatcherStore, WatchRecord } from './watchers.js';

/**
 * Replies in a followed deployment's thread, kept exactly as the watch record says: each
 * reply has a key (`start`, `phase:BUILDING`, `final`) claimed in Redis with the record, so
 * a replica that takes over never tells what another already told.
 */
export function createThreadReplies(deps: {
  watchers: WatcherStore;
  slack: SlackPoster;
  sleep: (ms: number) => Promise<void>;
}) {
  /** What this replica claimed, by deployment: a Redis that comes back empty forgot it, this did not. */
  const claimed = new Map<string, Set<string>>();
  const replies = {
    /**
     * Posts the reply `key` unless some replica claimed it already. The claim comes first
     * (at most once): a replica that dies between claim and post loses that progress reply,
     * which is better than telling a phase twice. Never throws: a missing progress reply
     * must not stop the following.
     */
    async replyOnce(record: WatchRecord, key: string, make: () => SlackMessage, log: Logger): Promise<void> {
      const mine = claimed.get(record.deploymentId) ?? new Set<string>();
      claimed.set(record.deploymentId, mine);
      if (mine.has(key)) return;
      try {
        if (!(await deps.watchers.claimReply(record.deploymentId, key))) return;
        mine.add(key);
        await deps.slack.post(record.message.channel, make(), { threadTs: record.message.ts });
        // Known to be there (not only claimed): the outcome need not say it again. Unsaid
        // (Redis away), the outcome says it again, which loses nothing.
        await deps.watchers.claimReply(record.deploymentId, posted(key)).catch(() => false);
      } catch (err) {
        log.warn({ err, key }, 'could not post a reply in the deployment thread');
      }
    },

    /**
     * A notable event in the thread, told once under `key` (e.g. a verification window that
     * starts after ACTIVE): mrkdwn, with anything from outside already escaped.
     */
    async note(record: WatchRecord, key: string, text: string, log: Logger): Promise<void> {
      await replies.replyOnce(record, `note:${key}`, () => deploymentNoteReply(record, text), log);
    },

    /** On each change the follower sees: the first reply once, then one reply per phase entered. */
    async progress(record: WatchRecord, deployment: Deployment, now: number, log: Logger): Promise<void> {
      // The end has a reply of its own, with the outcome; a phase is told once, not each poll.
      const phase = TERMINAL_PHASES.has(deployment.phase) ? undefined : phaseReplyKey(deployment);
      let phaseInStart = false;
      await replies.replyOnce(
        record,
        'start',
        () => {
          // Claimed here: the first reply also says the phase, so the thread opens with one reply.
          phaseInStart = phase !== undefined;
          return deploymentStartReply(record, deployment, phase ? now : undefined);
        },
        log,
      );
      if (!phase) return;
      if (phaseInStart) {
        await deps.watchers.claimReply(record.deploymentId, phase).catch(() => false);
        claimed.get(record.deploymentId)?.add(phase);
        return;
      }
      await replies.replyOnce(
        record,
        phaseReplyKey(deployment),
        () => deploymentPhaseReply(record, deployment, now),
        log,
      );
    },

    /**
     * The outcome's details, at least once: claimed only after Slack took them, so a replica
     * that takes over posts them unless they are known to be there. When the thread is gone
     * (its message was deleted) they go to the channel instead; throws when even that fails,
     * and the record stays for another try.
     */
    async deliverFinal(
      record: WatchRecord,
      outcome: FinalOutcome,
      log: Logger,
      /** The line was just posted (not edited): the channel has news already. */
      options: { freshLine?: boolean } = {},
    ): Promise<void> {
      claimed.delete(record.deploymentId);
      const final = outcome.reply;
      if (!final) return;
      // No line in the channel (an outcome that is not posted at all): no thread to end.
      if (!record.message.ts) return;
      if (await deps.watchers.hasReply(record.deploymentId, 'final')) return;
      // A replica that died between claiming the first reply and posting it took what it said
      // (who asked, what it changes) with it; the outcome says it instead of leaving it untold.
      const startTold = await deps.watchers.hasReply(record.deploymentId, posted('start'));
      const reply = startTold
        ? final
        : {
            ...final,
            blocks: [...(deploymentStartReply(record).blocks ?? []), ...(final.blocks ?? [])].slice(0, 50),
          };
      await postFinalReply(deps, record.message, reply, {
        log,
        broadcast: broadcastsFailure(outcome.ok, record.user, options.freshLine),
      });
      await deps.watchers.claimReply(record.deploymentId, 'final');
    },
  };
  return replies;
}

export type ThreadReplies = ReturnType<typeof createThreadReplies>;

/**
 * A failure with nobody to ping (a deployment dockside did not start): an edited line
 * notifies no one, so the outcome is also sent to the channel, where it shows as new.
 * A line just posted anew (`freshLine`) is news in the channel already.
 */
export function broadcastsFailure(ok: boolean, user: string, freshLine = false): boolean {
  return !ok && !freshLine && !canPing(user);
}

/**
 * Posts the outcome reply under `line`, waiting as Slack asks for up to a minute; when the
 * thread is gone (its message was deleted) the reply goes to the channel instead. Throws
 * when even that fails.
 */
export async function postFinalReply(
  deps: { slack: Pick<SlackPoster, 'post'>; sleep: (ms: number) => Promise<void> },
  line: MessageRef,
  reply: SlackMessage,
  options: { log: Logger; broadcast?: boolean },
): Promise<void> {
  const { log, broadcast = false } = options;
  const onRetry = (err: unknown, waitMs: number) =>
    log.warn({ err, waitMs }, 'Slack did not take the final thread reply yet; retrying');
  const post = (threadTs?: string) =>
    withSlackRetry(() => deps.slack.post(line.channel, reply, threadTs ? { threadTs, broadcast } : {}), {
      retries: 5,
      maxTotalMs: 60_000,
      sleep: deps.sleep,
      onRetry,
    });
  try {
    await post(line.ts);
  } catch (err) {
    log.warn(
      { err, code: slackErrorCode(err) },
      'could not reply in the thread; posting the details in the channel',
    );
    await post();
  }
}

/** The key saying that the reply `key` was taken by Slack (the claim alone only says it was tried). */
const posted = (key: string) => `posted:${key}`;

/** The few words the channel line ends with; the thread has the details. */
export function shortOutcome(f: FinishedDeployment, ok: boolean): string {
  const { phase } = f.deployment;
  if (f.timedOut) return `still ${phase}, no longer followed`;
  if (phase === 'ERROR') return `failed: ${escapeText(failureReason(f.deployment))}`;
  if (phase === 'CANCELED') return 'canceled';
  if (!wentLive(f.deployment)) return phase === 'SUPERSEDED' ? 'replaced before it went live' : phase;
  if (phase === 'SUPERSEDED') return 'live, then replaced by a newer deployment';
  if (f.health && !f.health.ok) return `live, health check failed: ${escapeText(f.health.summary)}`;
  const failing = (f.checklist ?? []).filter((i) => !i.ok).map((i) => escapeText(i.label));
  if (failing.length > 0) return `live, failed its checks: ${failing.join(', ')}`;
  if (!ok) return 'live, but a check after it failed (see the thread)';
  return f.health ? 'live, healthy' : 'live';
}
