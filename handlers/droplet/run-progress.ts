import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import {
  type DropletRolloutView,
  dropletRolloutMessage,
  type HostState,
} from '../../src/render/droplet-rollout.js';
import type { MessageRef, SlackMessage } from '../../src/slack/reply.js';
import type { RolloutEvent } from '../deploy/target.js';

type ViewBase = Omit<DropletRolloutView, 'hosts' | 'now' | 'envStep'>;

export interface ProgressDeps {
  clock: Clock;
  log: Logger;
  post: (message: SlackMessage) => Promise<MessageRef>;
  update: (ref: MessageRef, message: SlackMessage) => Promise<void>;
  /** Least time between two updates: chat.update is ~50/min per workspace (tier 3). */
  intervalMs: number;
  /** Called once the message exists (the intent keeps it, so a replica that takes over can update it). */
  onPosted?: (ref: MessageRef) => Promise<void>;
}

/**
 * The progress message of one rollout. Events fold into a per-host state; the message
 * is posted at the first event and updated at most once per interval (the last state
 * always wins). Sends are serialized, and a failed send is logged, never thrown: Slack
 * being slow must not leave hosts half-updated.
 */
export function createProgress(deps: ProgressDeps, base: ViewBase) {
  const hosts = new Map<string, HostState>();
  let envStep: RolloutEvent['step'] | undefined;
  let ref: MessageRef | undefined;
  let chain: Promise<void> = Promise.resolve();
  let lastSent = 0;
  let timer: NodeJS.Timeout | undefined;
  let extra: Partial<ViewBase> = {};

  const render = () =>
    dropletRolloutMessage({
      ...base,
      ...extra,
      hosts: [...hosts],
      now: deps.clock.now(),
      ...(envStep ? { envStep } : {}),
    });

  const send = () => {
    // Set when the send is queued, not when it runs: events that arrive meanwhile wait their turn.
    lastSent = Date.now();
    chain = chain.then(async () => {
      const message = render();
      try {
        if (ref) {
          await deps.update(ref, message);
        } else {
          ref = await deps.post(message);
          await deps
            .onPosted?.(ref)
            .catch((err: unknown) => deps.log.warn({ err }, 'could not remember the rollout message'));
        }
      } catch (err) {
        deps.log.warn({ err }, 'could not post or update the rollout message');
      }
    });
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
        hosts.set(event.host, { step: event.step, ...(event.detail ? { detail: event.detail } : {}) });
        envStep = undefined;
      } else {
        envStep = event.step;
      }
      schedule();
    },
    /** The last update: posted at once (or posted, when no event came before), and awaited. */
    async finish(outcome: Partial<ViewBase>): Promise<MessageRef | undefined> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      extra = outcome;
      await send();
      return ref;
    },
    /**
     * Posts the message before the rollout begins. Unlike later sends this one throws, so
     * the caller can refuse to start a rollout that nobody in the channel could follow.
     */
    async start(): Promise<void> {
      lastSent = Date.now();
      const posted = await deps.post(render());
      ref = posted;
      await deps
        .onPosted?.(posted)
        .catch((err: unknown) => deps.log.warn({ err }, 'could not remember the rollout message'));
    },
    get ref() {
      return ref;
    },
  };
}

export type Progress = ReturnType<typeof createProgress>;
