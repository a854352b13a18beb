import { type Clock, sleep as realSleep } from '../../src/clock.js';
import { DocksideError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import {
  type DropletRolloutView,
  dropletLineMessage,
  type HostState,
} from '../../src/render/droplet-rollout.js';
import {
  dropletFinalReply,
  dropletStartReply,
  dropletStepsReply,
  hostStepLine,
} from '../../src/render/droplet-thread.js';
import type { MessageRef, SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { slackErrorCode, withSlackRetry } from '../../src/slack/retry.js';
import type { RolloutEvent } from '../deploy/target.js';
import { broadcastsFailure, postFinalReply } from '../deploy/thread-replies.js';

type ViewBase = Omit<DropletRolloutView, 'hosts' | 'now' | 'envStep'>;

export interface ProgressDeps {
  clock: Clock;
  log: Logger;
  /** Posts the channel line (in the channel the request came from). */
  post: (message: SlackMessage) => Promise<MessageRef>;
  /** Edits the line and posts in its thread. */
  slack: Pick<SlackPoster, 'post' | 'update'>;
  /** Least time between two sends: chat.update is ~50/min per workspace, chat.postMessage ~1/s per channel. */
  intervalMs: number;
  /** Called once the line exists (the intent keeps it, so a replica that takes over can end it). */
  onPosted?: (ref: MessageRef) => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

/** Slack codes that say the bot can never post there (not "not now"): a rollout nobody could follow is not started. */
const CANNOT_POST = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'invalid_thread_ts',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_non_threadable_channel',
  'restricted_action_thread_locked',
]);

function cannotPost(err: unknown): DocksideError | undefined {
  if (err instanceof DocksideError) return err.code === 'not_in_channel' ? err : undefined;
  const code = slackErrorCode(err);
  if (!CANNOT_POST.has(code)) return undefined;
  return new DocksideError(
    'not_in_channel',
    `dockside cannot post in this channel or its threads (${code}), so nothing was started.`,
    { hint: 'Invite it with `/invite @dockside` (or let it reply in threads) and run the command again.' },
  );
}

/**
 * The channel line of one rollout and its thread. Events fold into a per-host state; a host
 * step that matters (hostStepLine) waits for the next send. Sends come at most once per
 * interval (the line's last state wins; the steps that came meanwhile share one reply), are
 * serialized, and a failed send is logged, never thrown: Slack being slow must not leave
 * hosts half-updated.
 */
export function createProgress(deps: ProgressDeps, base: ViewBase) {
  const hosts = new Map<string, HostState>();
  let envStep: RolloutEvent['step'] | undefined;
  let ref: MessageRef | undefined;
  let startTold = false;
  const steps: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  let lastSent = 0;
  let timer: NodeJS.Timeout | undefined;
  let extra: Partial<ViewBase> = {};

  const view = (): DropletRolloutView => ({
    ...base,
    ...extra,
    hosts: [...hosts],
    now: deps.clock.now(),
    ...(envStep ? { envStep } : {}),
  });
  const reply = (at: MessageRef, message: SlackMessage) =>
    deps.slack.post(at.channel, message, { threadTs: at.ts });

  async function postLine(message: SlackMessage): Promise<MessageRef> {
    const posted = await deps.post(message);
    ref = posted;
    await deps
      .onPosted?.(posted)
      .catch((err: unknown) => deps.log.warn({ err }, 'could not remember the rollout message'));
    return posted;
  }

  /** The line as it is now, then what waits for the thread. */
  async function sendNow(): Promise<void> {
    const told = steps.splice(0);
    const message = dropletLineMessage(view());
    try {
      if (ref) await deps.slack.update(ref, message);
      else await postLine(message);
    } catch (err) {
      deps.log.warn({ err }, 'could not post or update the rollout line');
    }
    // No line yet: its steps wait for the next send, which posts it.
    if (!ref) {
      steps.unshift(...told);
      return;
    }
    await tellThread(ref, told);
  }

  /** The first reply if still untold, then the steps that waited (one reply). Never throws. */
  async function tellThread(at: MessageRef, told: string[]): Promise<void> {
    try {
      if (!startTold) {
        await reply(at, dropletStartReply(base));
        startTold = true;
      }
      if (told.length > 0) await reply(at, dropletStepsReply(base, told));
    } catch (err) {
      deps.log.warn({ err }, 'could not reply in the rollout thread');
    }
  }

  const send = () => {
    // Set when the send is queued, not when it runs: events that arrive meanwhile wait their turn.
    lastSent = Date.now();
    chain = chain.then(sendNow);
    return chain;
  };

  const schedule = () => {
    if (timer) return;
    if (lastSent === 0) {
      void send();
      return;
    }
    const wait = Math.max(0, deps.intervalMs - (Date.now() - lastSent));
    timer = setTimeout(() => {
      timer = undefined;
      void send();
    }, wait);
    timer.unref?.();
  };

  return {
    event(event: RolloutEvent): void {
      if (event.host) {
        const before = hosts.get(event.host);
        const step = hostStepLine(event, before, deps.clock.now() - base.startedAt);
        if (step) steps.push(step);
        hosts.set(event.host, { step: event.step, ...(event.detail ? { detail: event.detail } : {}) });
        envStep = undefined;
      } else {
        envStep = event.step;
      }
      schedule();
    },
    /**
     * The end: the steps still waiting, the line's last state (waiting as Slack asks, for up
     * to a minute), then the outcome reply in the thread (in the channel when the thread is
     * gone). Never throws; resolves with the line, if there is one.
     */
    async finish(outcome: Partial<ViewBase>): Promise<MessageRef | undefined> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      extra = outcome;
      const sleep = deps.sleep ?? realSleep;
      const retry = { retries: 5, maxTotalMs: 60_000, sleep };
      chain = chain.then(async () => {
        const told = steps.splice(0);
        const message = dropletLineMessage(view());
        try {
          const at = ref;
          if (at) await withSlackRetry(() => deps.slack.update(at, message), retry);
          else await postLine(message);
        } catch (err) {
          deps.log.warn({ err }, 'could not show the outcome on the rollout line');
        }
        if (!ref) return;
        await tellThread(ref, told);
        const last = dropletFinalReply(view());
        // A thread that never got its first reply gets what it said with the outcome.
        const final = startTold
          ? last
          : {
              ...last,
              blocks: [...(dropletStartReply(base).blocks ?? []), ...(last.blocks ?? [])].slice(0, 50),
            };
        const ok = outcome.result?.ok === true;
        await postFinalReply({ slack: deps.slack, sleep }, ref, final, {
          log: deps.log,
          broadcast: broadcastsFailure(ok, base.user),
        }).catch((err: unknown) => deps.log.warn({ err }, 'could not post the outcome of the rollout'));
      });
      await chain;
      return ref;
    },
    /**
     * Posts the line and its first reply before the rollout begins. Unlike later sends this
     * throws: the caller refuses to start a rollout that nobody could follow, and a Slack
     * refusal that will not change (not in the channel, no threads there) comes as
     * `not_in_channel`.
     */
    async start(): Promise<void> {
      lastSent = Date.now();
      let at: MessageRef;
      try {
        at = await postLine(dropletLineMessage(view()));
      } catch (err) {
        throw cannotPost(err) ?? err;
      }
      try {
        await reply(at, dropletStartReply(base));
        startTold = true;
      } catch (err) {
        const refused = cannotPost(err);
        if (!refused) {
          // Not now, rather than never: told with the next send, or with the outcome.
          deps.log.warn({ err }, 'could not post the first reply of the rollout; trying again as it goes');
          return;
        }
        extra = { error: refused.message };
        await deps.slack
          .update(at, dropletLineMessage(view()))
          .catch((e: unknown) => deps.log.warn({ err: e }, 'could not end the rollout line'));
        throw refused;
      }
    },
    get ref() {
      return ref;
    },
  };
}

export type Progress = ReturnType<typeof createProgress>;
