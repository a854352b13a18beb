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
import { createPendingReplies, DEFAULT_REPLY_LEASE_MS, OUTCOME_KEY, replyMarker } from './thread-pending.js';
import { failureReason, wentLive } from './watch.js';
import type { FinalOutcome, WatcherStore, WatchRecord } from './watchers.js';

/**
 * Replies in a followed deployment's thread, kept exactly as the watch record says: each
 * reply has a key (`start`, `phase:BUILDING`, `outcome`) claimed in Redis with the record, so
 * a replica that takes over never tells what another already told. A claim holds the reply
 * until Slack took it (thread-pending.ts): one whose replica died mid-post is posted by the
 * next, after it looked for it in the thread.
 */
export function createThreadReplies(deps: {
  watchers: WatcherStore;
  slack: SlackPoster;
  sleep: (ms: number) => Promise<void>;
  replicaId: string;
  now: () => number;
  replyLeaseMs?: number;
}) {
  /** What this replica claimed, by deployment: a Redis that comes back empty forgot it, this did not. */
  const claimed = new Map<string, Set<string>>();
  const pending = createPendingReplies({
    ...deps,
    replyLeaseMs: deps.replyLeaseMs ?? DEFAULT_REPLY_LEASE_MS,
  });
  /**
   * The outcome's details, exactly once as far as a crash goes: claimed with what it says
   * before it is posted and marked done after, so a replica that takes over finds it in
   * the thread (by its marker) or posts it. When the thread is gone (its message was
   * deleted) they go to the channel instead; throws when even that fails, and the record
   * stays for another try.
   */
  async function deliverOutcome(
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
    const id = record.deploymentId;
    // What a replica that died claimed comes first: the thread keeps the order of events.
    await pending.recover(record, log, { wait: true });
    const claim = (await deps.watchers.pendingReplies(id)).get(OUTCOME_KEY);
    // Claimed and not pending: posted. `final` is what an older dockside claimed, only after
    // posting; the claim has a name of its own so that such a replica, taking over from this
    // one mid-upgrade, posts an outcome twice rather than never.
    if (
      !claim &&
      ((await deps.watchers.hasReply(id, OUTCOME_KEY)) || (await deps.watchers.hasReply(id, 'final')))
    )
      return;
    // A replica that died between claiming the first reply and posting it took what it said
    // (who asked, what it changes) with it; the outcome says it instead of leaving it untold.
    const startTold = await deps.watchers.hasReply(id, posted('start'));
    const reply: SlackMessage = {
      ...(startTold
        ? final
        : {
            ...final,
            blocks: [...(deploymentStartReply(record).blocks ?? []), ...(final.blocks ?? [])].slice(0, 50),
          }),
      metadata: replyMarker(record, OUTCOME_KEY),
    };
    const postSomewhere = () =>
      postFinalReply(deps, record.message, reply, {
        log,
        broadcast: broadcastsFailure(outcome.ok, record.user, options.freshLine),
      });
    if (!claim) {
      await pending.claimAndPost(record, OUTCOME_KEY, reply, postSomewhere);
      return;
    }
    // Claimed by a replica that stopped (or whose post failed): in the thread already?
    const seen = await pending.look(record, OUTCOME_KEY, log);
    if ('found' in seen && seen.found) {
      log.info({ claimedBy: claim.owner }, 'the outcome was in the thread already');
      await deps.watchers.donePending(id, OUTCOME_KEY);
      return;
    }
    await pending.untilStale(record, OUTCOME_KEY, claim);
    if (
      !(await deps.watchers.takePending(id, OUTCOME_KEY, claim, {
        ...claim,
        owner: deps.replicaId,
        at: deps.now(),
      }))
    )
      return;
    // Read again: a slow post of the replica that claimed it may have landed meanwhile.
    const again = 'found' in seen ? await pending.look(record, OUTCOME_KEY, log) : seen;
    if (!('found' in again && again.found)) await postSomewhere();
    await deps.watchers.donePending(id, OUTCOME_KEY);
  }

  const replies = {
    /**
     * Posts the reply `key` unless some replica claimed it already; true when this call
     * claimed it. Never throws: a missing progress reply must not stop the following.
     */
    async replyOnce(
      record: WatchRecord,
      key: string,
      make: () => SlackMessage,
      log: Logger,
    ): Promise<boolean> {
      const mine = claimed.get(record.deploymentId) ?? new Set<string>();
      claimed.set(record.deploymentId, mine);
      if (mine.has(key)) return false;
      const message = { ...make(), metadata: replyMarker(record, key) };
      let claimedNow = false;
      try {
        await pending.claimAndPost(record, key, message, async (m) => {
          claimedNow = true;
          mine.add(key);
          await deps.slack.post(record.message.channel, m, { threadTs: record.message.ts });
        });
      } catch (err) {
        log.warn({ err, key }, 'could not post a reply in the deployment thread');
      }
      return claimedNow;
    },

    /** Posts what a replica claimed and did not get to post (stale claims only); never throws. */
    async recover(record: WatchRecord, log: Logger): Promise<void> {
      await pending.recover(record, log);
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
      // The first reply also says the phase, so the thread opens with one reply.
      const startClaimed = await replies.replyOnce(
        record,
        'start',
        () => deploymentStartReply(record, deployment, phase ? now : undefined),
        log,
      );
      if (!phase) return;
      if (startClaimed) {
        await deps.watchers.claimReply(record.deploymentId, phase).catch(() => false);
        claimed.get(record.deploymentId)?.add(phase);
        return;
      }
      await replies.replyOnce(record, phase, () => deploymentPhaseReply(record, deployment, now), log);
    },

    /**
     * The outcome's details, exactly once as far as a crash goes (deliverOutcome); once they
     * are told, what this replica sent in the thread need not be remembered.
     */
    async deliverFinal(
      record: WatchRecord,
      outcome: FinalOutcome,
      log: Logger,
      /** The line was just posted (not edited): the channel has news already. */
      options: { freshLine?: boolean } = {},
    ): Promise<void> {
      await deliverOutcome(record, outcome, log, options);
      pending.forget(record);
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
