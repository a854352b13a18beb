import type { WebClient } from '@slack/web-api';
import type { MessageMarker, MessageRef, SlackMessage, SlackPoster, ThreadMessage } from './reply.js';
import { type SlackRetryOptions, withSlackRetry } from './retry.js';

/**
 * SlackPoster over the Web API client (chat.*, files.uploadV2). Give it a client made
 * with `rejectRateLimitedCalls: true` and no retries of its own: 429s, `ratelimited` and
 * 5xx are retried here, after Slack's Retry-After, `retry.retries` times.
 */
export function createWebPoster(client: WebClient, retry: SlackRetryOptions = { retries: 0 }): SlackPoster {
  const again = <T>(call: () => Promise<T>) => withSlackRetry(call, retry);
  return {
    async post(channel, message, options = {}) {
      // Slack ignores reply_broadcast without thread_ts; it is not sent then.
      const thread = options.threadTs
        ? options.broadcast
          ? { thread_ts: options.threadTs, reply_broadcast: true as const }
          : { thread_ts: options.threadTs }
        : {};
      const result = await again(() =>
        client.chat.postMessage({
          channel,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(message.metadata ? { metadata: message.metadata } : {}),
          ...thread,
          unfurl_links: false,
        }),
      );
      return { channel: result.channel ?? channel, ts: result.ts ?? '' };
    },
    async update(ref, message) {
      await again(() =>
        client.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : { blocks: [] }),
        }),
      );
    },
    async postEphemeral(channel, user, message) {
      await again(() =>
        client.chat.postEphemeral({
          channel,
          user,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
        }),
      );
    },
    async uploadFile(channel, file) {
      const common = {
        channel_id: channel,
        filename: file.filename,
        ...(file.title ? { title: file.title } : {}),
        ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
      };
      const source = typeof file.content === 'string' ? { content: file.content } : { file: file.content };
      if (file.threadTs) await client.filesUploadV2({ ...common, ...source, thread_ts: file.threadTs });
      else await client.filesUploadV2({ ...common, ...source });
    },
    async threadReplies(parent) {
      const out: ThreadMessage[] = [];
      let cursor: string | undefined;
      // A followed deployment's thread holds a dozen replies; a bound keeps a huge one from looping long.
      for (let page = 0; page < 10; page++) {
        const result = await again(() =>
          client.conversations.replies({
            channel: parent.channel,
            ts: parent.ts,
            include_all_metadata: true,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          }),
        );
        for (const m of result.messages ?? []) {
          // The parent comes first in every answer; only the replies are asked for.
          if (!m.ts || m.ts === parent.ts) continue;
          const metadata = m.metadata as MessageMarker | undefined;
          out.push({ ts: m.ts, text: m.text ?? '', ...(metadata?.event_type ? { metadata } : {}) });
        }
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) break;
      }
      return out;
    },
  };
}

/**
 * Updates one message at most every `minIntervalMs` (chat.update is ~50/min per
 * workspace): intermediate states are coalesced, the latest always wins, and
 * flush() sends the final state at once.
 */
export function createThrottledUpdater(
  poster: SlackPoster,
  ref: MessageRef,
  options: { minIntervalMs: number; onError?: (err: unknown) => void },
) {
  let lastSent = 0;
  let pending: SlackMessage | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const send = (message: SlackMessage): Promise<void> => {
    lastSent = Date.now();
    chain = chain.then(() => poster.update(ref, message)).catch((err: unknown) => options.onError?.(err));
    return chain;
  };

  return {
    update(message: SlackMessage): void {
      pending = message;
      if (timer) return;
      const wait = Math.max(0, lastSent + options.minIntervalMs - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        const next = pending;
        pending = undefined;
        if (next) void send(next);
      }, wait);
    },
    /** Drops what is queued and waits for the update in flight, so a final message sent next lands last. */
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      await chain;
    },
    async flush(message: SlackMessage): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      await send(message);
    },
  };
}
