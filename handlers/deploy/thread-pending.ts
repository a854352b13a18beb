import type { KnownBlock } from '@slack/types';
import type { Logger } from '../../src/logger.js';
import type { MessageMarker, SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { slackErrorCode, slackRetryDelayMs } from '../../src/slack/retry.js';
import type { PendingReply, WatcherStore, WatchRecord } from './watchers.js';

/** The outcome's reply: deliverFinal settles its claim (thread-replies.ts), progress recovery does not. */
export const OUTCOME_KEY = 'outcome';

/** The metadata type of every thread reply dockside posts under a followed deployment. */
export const REPLY_EVENT_TYPE = 'dockside_deployment_reply';

/**
 * How long a claimed reply may be in flight before another replica may post it: longer
 * than one Slack call may take (the Web API client's timeout is 10 s), so a replica that
 * is alive and slow is not doubled. A dead replica's claim does not wait for it.
 */
export const DEFAULT_REPLY_LEASE_MS = 15_000;

/** Marks a reply so that a replica reading the thread back knows it for this one. */
export function replyMarker(record: WatchRecord, key: string): MessageMarker {
  return { event_type: REPLY_EVENT_TYPE, event_payload: { deployment_id: record.deploymentId, reply: key } };
}

/** A reply posted after later ones (by the replica that took over, or once Redis answered) says why. */
function late(message: SlackMessage, own: boolean): SlackMessage {
  // Blocks replace the text on screen: a text-only reply stays as it is.
  if (!message.blocks?.length) return message;
  const reason = own
    ? 'Redis did not answer when it happened.'
    : 'the replica that followed this stopped before Slack had it.';
  const why: KnownBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `_Posted late: ${reason}_` }],
  };
  return { ...message, blocks: [...message.blocks.slice(0, 49), why] };
}

/** Slack answered the call with a refusal, so nothing of it landed (a timeout or 5xx may have). */
function saidNo(err: unknown): boolean {
  const e = err as { code?: string; statusCode?: number } | undefined;
  if (e?.code === 'slack_webapi_platform_error') return slackRetryDelayMs(err, 0) === undefined;
  return e?.code === 'slack_webapi_http_error' && (e.statusCode ?? 500) < 500 && e.statusCode !== 429;
}

/** In the thread: found, not there, or the thread could not be read (`permanent`: never will be). */
export type ThreadLook = { found: boolean } | { unreadable: true; permanent: boolean };

/**
 * Thread replies claimed with a lease: a claim keeps what the reply says (pending) until
 * Slack took it. A stale claim (older than the lease, or of a dead replica) is taken over
 * by whoever follows the deployment, which reads the thread for the reply's marker and
 * posts it only when it is not there: a reply is neither lost nor told twice when a
 * replica dies mid-post.
 */
export function createPendingReplies(deps: {
  watchers: WatcherStore;
  slack: SlackPoster;
  sleep: (ms: number) => Promise<void>;
  replicaId: string;
  now: () => number;
  replyLeaseMs: number;
}) {
  /** `deploymentId key` of the posts this replica has in flight: never stale to itself. */
  const inFlight = new Set<string>();
  /**
   * The keys of the replies this replica sent, by deployment (what is in flight among them).
   * A claim of its own that it never sent was written by a Redis that lost the answer (the
   * claim call failed): no post of it can be in flight, so it need not wait out the lease.
   */
  const sent = new Map<string, Set<string>>();
  const flightKey = (record: WatchRecord, key: string) => `${record.deploymentId} ${key}`;

  async function look(record: WatchRecord, key: string, log: Logger): Promise<ThreadLook> {
    if (!deps.slack.threadReplies) return { unreadable: true, permanent: true };
    try {
      const thread = await deps.slack.threadReplies(record.message);
      const found = thread.some(
        (m) =>
          m.metadata?.event_type === REPLY_EVENT_TYPE &&
          m.metadata.event_payload.deployment_id === record.deploymentId &&
          m.metadata.event_payload.reply === key,
      );
      return { found };
    } catch (err) {
      const permanent = slackRetryDelayMs(err, 0) === undefined;
      log.warn({ err, code: slackErrorCode(err), key }, 'could not read the deployment thread');
      return { unreadable: true, permanent };
    }
  }

  /**
   * A claim whose post cannot be in flight any more: older than the lease, or made by
   * another replica that is dead (its liveness mark lapsed, so it stopped seconds ago).
   */
  async function stale(record: WatchRecord, key: string, claim: PendingReply): Promise<boolean> {
    if (deps.now() - claim.at >= deps.replyLeaseMs) return true;
    if (claim.owner === deps.replicaId) return !sent.get(record.deploymentId)?.has(key);
    return !(await deps.watchers.replicaAlive(claim.owner));
  }

  /** Posts under the claim of `key`: in flight (never stale to this replica) until it returns. */
  async function sending<T>(record: WatchRecord, key: string, post: () => Promise<T>): Promise<T> {
    const flight = flightKey(record, key);
    inFlight.add(flight);
    sent.set(record.deploymentId, (sent.get(record.deploymentId) ?? new Set<string>()).add(key));
    try {
      return await post();
    } finally {
      inFlight.delete(flight);
    }
  }

  const pending = {
    look,

    /**
     * Claims `key` (at most one replica ever does) with what it says, then posts it and marks
     * it done. False when it was claimed already. A post that fails leaves the claim pending:
     * it is tried again once stale (after a look at the thread).
     */
    async claimAndPost(
      record: WatchRecord,
      key: string,
      message: SlackMessage,
      post: (message: SlackMessage) => Promise<unknown>,
    ): Promise<boolean> {
      const claim: PendingReply = { owner: deps.replicaId, at: deps.now(), message };
      if (!(await deps.watchers.claimPending(record.deploymentId, key, claim))) return false;
      try {
        await sending(record, key, () => post(message));
      } catch (err) {
        // Slack answered no (not a timeout): it is certainly not there, so the claim need not
        // wait out its lease before the next try.
        if (saidNo(err)) {
          await deps.watchers
            .takePending(record.deploymentId, key, claim, { ...claim, at: 0 })
            .catch(() => false);
        }
        throw err;
      }
      await deps.watchers.donePending(record.deploymentId, key);
      return true;
    },

    /**
     * Settles the pending claims of progress replies (not the outcome's, which deliverFinal
     * settles): each one older than the lease is taken over, looked for in the thread,
     * and posted when it is not there. With `wait`, a younger claim is waited for (the
     * outcome is about to be told: what came before it goes first). Never throws.
     */
    async recover(record: WatchRecord, log: Logger, options: { wait?: boolean } = {}): Promise<void> {
      if (!record.message.ts) return;
      const claims = await deps.watchers.pendingReplies(record.deploymentId).catch((err: unknown) => {
        log.warn({ err }, 'could not read the pending replies of the deployment thread');
        return new Map<string, PendingReply>();
      });
      // Oldest first: the thread keeps the order in which things happened.
      for (const [key, claim] of [...claims].sort((a, b) => a[1].at - b[1].at)) {
        if (key === OUTCOME_KEY || inFlight.has(flightKey(record, key))) continue;
        const age = deps.now() - claim.at;
        if (!(await stale(record, key, claim))) {
          if (!options.wait) continue;
          // Landed already (a replica stopped right after Slack took it): nothing to wait for.
          const seen = await look(record, key, log);
          if ('found' in seen && seen.found) {
            await deps.watchers.donePending(record.deploymentId, key);
            continue;
          }
          await deps.sleep(deps.replyLeaseMs - age);
        }
        await pending
          .takeOver(record, key, claim, log)
          .catch((err: unknown) =>
            log.warn({ err, key }, 'could not post a pending reply; tried again later'),
          );
      }
    },

    /** One stale claim: this replica takes it (one wins), then finds it in the thread or posts it. */
    async takeOver(record: WatchRecord, key: string, claim: PendingReply, log: Logger): Promise<void> {
      const taken: PendingReply = { ...claim, owner: deps.replicaId, at: deps.now() };
      if (!(await deps.watchers.takePending(record.deploymentId, key, claim, taken))) return;
      const seen = await look(record, key, log);
      if ('found' in seen && seen.found) {
        log.info({ key, claimedBy: claim.owner }, 'a pending reply was in the thread already');
        await deps.watchers.donePending(record.deploymentId, key);
        return;
      }
      if ('unreadable' in seen) {
        // Unknown whether it landed: a progress reply is dropped rather than told twice;
        // a passing failure leaves it pending (its claim renewed) for the next try.
        if (seen.permanent) await deps.watchers.donePending(record.deploymentId, key);
        return;
      }
      log.info({ key, claimedBy: claim.owner }, 'posting a reply whose replica stopped before Slack had it');
      await sending(record, key, () =>
        deps.slack.post(record.message.channel, late(taken.message, claim.owner === deps.replicaId), {
          threadTs: record.message.ts,
        }),
      );
      await deps.watchers.donePending(record.deploymentId, key);
    },

    /** The thread is done with: what this replica sent in it need not be remembered. */
    forget(record: WatchRecord): void {
      sent.delete(record.deploymentId);
    },

    /** Waits until a claim of another replica is stale (its post cannot be in flight any more). */
    async untilStale(record: WatchRecord, key: string, claim: PendingReply): Promise<void> {
      if (await stale(record, key, claim)) return;
      await deps.sleep(deps.replyLeaseMs - (deps.now() - claim.at));
    },
  };
  return pending;
}

export type PendingReplies = ReturnType<typeof createPendingReplies>;
