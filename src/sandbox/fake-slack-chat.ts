import type { EventEmitter } from 'node:events';
import type { FakeMessage } from './fake-slack-types.js';

type Answer = Record<string, unknown>;
const refuse = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

/** Slack takes `true`/`1` as form values and `true` in JSON. */
function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/**
 * chat.postMessage and chat.update as Slack answers them, threads included. A reply names
 * its parent by `thread_ts`; a `thread_ts` that is not a message of that channel (unknown,
 * deleted, or itself a reply: Slack's docs say to use the parent's ts) is refused with
 * `invalid_thread_ts`, posting nothing; in a channel of `noThreads` (an admin's setting)
 * every reply is refused. `reply_broadcast` counts only on a reply, which
 * then shows in the channel too; without `thread_ts` Slack ignores it.
 */
export function chatMethods(ctx: {
  messages: FakeMessage[];
  events: EventEmitter;
  notInChannel: Set<string>;
  noThreads: Set<string>;
  nextTs: () => string;
  contentProblem: (p: Record<string, unknown>) => Answer | undefined;
}): Record<string, (p: Record<string, unknown>) => Answer> {
  const { messages, events, notInChannel, noThreads } = ctx;
  return {
    'chat.postMessage': (p) => {
      const channel = String(p.channel ?? '');
      if (!channel) return refuse('channel_not_found');
      if (notInChannel.has(channel)) return refuse('not_in_channel');
      const bad = ctx.contentProblem(p);
      if (bad) return bad;
      const threadTs = p.thread_ts === undefined || p.thread_ts === '' ? undefined : String(p.thread_ts);
      let parent: FakeMessage | undefined;
      if (threadTs !== undefined) {
        if (noThreads.has(channel)) return refuse('restricted_action_non_threadable_channel');
        parent = messages.find((m) => !m.deleted && m.channel === channel && m.ts === threadTs);
        if (!parent || (parent.thread_ts !== undefined && parent.thread_ts !== parent.ts)) {
          return refuse('invalid_thread_ts');
        }
      }
      const message: FakeMessage = {
        channel,
        ts: ctx.nextTs(),
        text: String(p.text ?? ''),
        blocks: (p.blocks as unknown[]) ?? [],
        updates: 0,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(threadTs && flag(p.reply_broadcast) ? { reply_broadcast: true } : {}),
      };
      if (parent) parent.reply_count = (parent.reply_count ?? 0) + 1;
      messages.push(message);
      events.emit('message', message);
      return {
        ok: true,
        channel,
        ts: message.ts,
        message: {
          text: message.text,
          ts: message.ts,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(message.reply_broadcast ? { subtype: 'thread_broadcast' } : {}),
        },
      };
    },
    'chat.update': (p) => {
      const message = messages.find((m) => !m.deleted && m.channel === p.channel && m.ts === p.ts);
      if (!message) return refuse('message_not_found');
      if (notInChannel.has(message.channel)) return refuse('not_in_channel');
      const bad = ctx.contentProblem(p);
      if (bad) return bad;
      message.text = String(p.text ?? '');
      message.blocks = (p.blocks as unknown[]) ?? [];
      message.updates++;
      events.emit('update', message);
      return { ok: true, channel: message.channel, ts: message.ts };
    },
  };
}
