import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../logger.js';
import type { SlackPoster } from './reply.js';

/** Slack accepts at most this many posts to one response_url, within this window of the command. */
export const RESPONSE_URL_MAX_POSTS = 5;
export const RESPONSE_URL_WINDOW_MS = 30 * 60_000;

/** Who a command's answers are for, so they can go through chat.postEphemeral when the response_url cannot take them. */
export interface ResponseTarget {
  channel: string;
  user: string;
}

export interface ResponseUrlOptions {
  /** Per post; short, because Slack answers within a second when it answers at all. */
  timeoutMs?: number;
  /** Where answers go when the response_url is spent, hangs or fails. */
  slack?: SlackPoster;
  log?: Logger;
  now?: () => number;
}

/**
 * Posts to a command's response_url. Bolt's respond() does this with fetch, whose
 * web-streams machinery costs more CPU than the rest of a command's handling; this is
 * one keep-alive request with the same JSON body.
 *
 * The post runs on its own, in order per response_url: the caller (inside the command's
 * concurrency slot) does not wait for it, so a response_url that hangs cannot hold up the
 * next command. A post that times out or fails, and the sixth one (Slack takes five within
 * 30 minutes), goes through chat.postEphemeral (or the channel, for in_channel answers).
 */
export function createResponseUrlPoster(options: ResponseUrlOptions = {}) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 3000;
  const used = new Map<string, { first: number; count: number; chain: Promise<void> }>();
  const inFlight = new Set<Promise<void>>();

  function postOnce(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    const url = new URL(responseUrl);
    const data = JSON.stringify(body);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(data),
          },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            (res.statusCode ?? 500) < 300
              ? resolve()
              : reject(new Error(`response_url answered HTTP ${res.statusCode ?? '?'}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('response_url did not answer in time')));
      req.on('error', reject);
      req.end(data);
    });
  }

  async function fallback(target: ResponseTarget | undefined, body: Record<string, unknown>): Promise<void> {
    if (!options.slack || !target) throw new Error('response_url failed and there is no other way to answer');
    const message = {
      text: String(body.text ?? ''),
      ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
    };
    if (body.response_type === 'in_channel') await options.slack.post(target.channel, message);
    else await options.slack.postEphemeral(target.channel, target.user, message);
  }

  type Slot = { first: number; count: number; chain: Promise<void> };
  function slotFor(responseUrl: string): Slot {
    const at = now();
    // Forgotten well after Slack stopped taking them; until then a late answer knows to go elsewhere.
    for (const [url, u] of used) if (at - u.first > 2 * RESPONSE_URL_WINDOW_MS) used.delete(url);
    const slot = used.get(responseUrl) ?? { first: at, count: 0, chain: Promise.resolve() };
    used.set(responseUrl, slot);
    return slot;
  }

  async function deliver(
    responseUrl: string,
    slot: Slot,
    body: Record<string, unknown>,
    target?: ResponseTarget,
  ): Promise<void> {
    slot.count += 1;
    if (slot.count <= RESPONSE_URL_MAX_POSTS && now() - slot.first <= RESPONSE_URL_WINDOW_MS) {
      try {
        await postOnce(responseUrl, body);
        return;
      } catch (err) {
        if (!target) throw err;
        options.log?.warn({ err }, 'response_url failed; answering with chat.postEphemeral');
      }
    }
    await fallback(target, body);
  }

  const post = (
    responseUrl: string,
    body: Record<string, unknown>,
    target?: ResponseTarget,
  ): Promise<void> => {
    const slot = slotFor(responseUrl);
    // Without a way to fall back (a caller that gave no target), wait and report as before.
    if (!options.slack || !target) return deliver(responseUrl, slot, body, target);
    const work = slot.chain
      .then(() => deliver(responseUrl, slot, body, target))
      .catch((err: unknown) => options.log?.error({ err }, 'could not answer the user'));
    slot.chain = work;
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
    return Promise.resolve();
  };
  return Object.assign(post, {
    /** Waits for the answers still being posted (graceful stop, tests). */
    drain: async (): Promise<void> => {
      await Promise.allSettled([...inFlight]);
    },
  });
}

export type ResponseUrlPoster = ReturnType<typeof createResponseUrlPoster>;
