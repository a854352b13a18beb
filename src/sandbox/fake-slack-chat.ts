import type { EventEmitter } from 'node:events';
import type { FakeMessage } from './fake-slack-types.js';

type Answer = Record<string, unknown>;
const refuse = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

type Metadata = NonNullable<FakeMessage['metadata']>;

/** Slack refuses metadata without an event type or with a payload that is not an object. */
function metadataOf(value: unknown): Metadata | 'invalid' | undefined {
  if (value === undefined || value === '') return undefined;
  const m = value as Partial<Metadata> | null;
  if (!m || typeof m !== 'object' || typeof m.event_type !== 'string' || m.event_type === '')
    return 'invalid';
  if (!m.event_payload || typeof m.event_payload !== 'object' || Array.isArray(m.event_payload))
    return 'invalid';
  return { event_type: m.event_type, event_payload: m.event_payload };
}

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
      const metadata = metadataOf(p.metadata);
      if (metadata === 'invalid') return refuse('invalid_metadata_format');
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
        ...(metadata ? { metadata } : {}),
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
    /**
     * A thread as Slack returns it: the parent first, then its replies oldest first, `limit`
     * at a time with a cursor; metadata only with include_all_metadata. A ts that is no
     * message of the channel (or a deleted one) answers `thread_not_found`.
     */
    'conversations.replies': (p) => {
      const channel = String(p.channel ?? '');
      if (!channel || !messages.some((m) => m.channel === channel)) return refuse('channel_not_found');
      if (notInChannel.has(channel)) return refuse('not_in_channel');
      const named = messages.find((m) => !m.deleted && m.channel === channel && m.ts === String(p.ts ?? ''));
      if (!named) return refuse('thread_not_found');
      const parentTs = named.thread_ts ?? named.ts;
      const thread = messages.filter(
        (m) => !m.deleted && m.channel === channel && (m.ts === parentTs || m.thread_ts === parentTs),
      );
      const parent = thread.find((m) => m.ts === parentTs);
      const replies = thread.filter((m) => m.ts !== parentTs);
      const limit = Math.max(1, Math.min(1000, Number(p.limit ?? 1000) || 1000));
      const cursor = p.cursor === undefined || p.cursor === '' ? undefined : String(p.cursor);
      const offset =
        cursor === undefined ? 0 : Number(Buffer.from(cursor, 'base64').toString('utf8').slice(5));
      if (!Number.isInteger(offset) || offset < 0 || offset > replies.length) return refuse('invalid_cursor');
      const page = replies.slice(offset, offset + limit);
      const more = offset + limit < replies.length;
      const withMeta = flag(p.include_all_metadata);
      const shape = (m: FakeMessage) => ({
        type: 'message',
        user: 'UDOCKSIDE',
        bot_id: 'BDOCKSIDE',
        text: m.text,
        ts: m.ts,
        ...(m.thread_ts || m.reply_count ? { thread_ts: parentTs } : {}),
        ...(m.ts === parentTs && m.reply_count ? { reply_count: m.reply_count } : {}),
        ...(m.ts !== parentTs ? { parent_user_id: 'UDOCKSIDE' } : {}),
        ...(m.reply_broadcast ? { subtype: 'thread_broadcast' } : {}),
        ...(m.blocks.length > 0 ? { blocks: m.blocks } : {}),
        ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
      });
      return {
        ok: true,
        messages: [...(parent ? [shape(parent)] : []), ...page.map(shape)],
        has_more: more,
        response_metadata: {
          next_cursor: more ? Buffer.from(`next:${offset + limit}`).toString('base64') : '',
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
