import { ErrorCode } from '@slack/web-api';
import { sleep as realSleep } from '../clock.js';

/** Slack error codes (`ok: false`) that say "not now" rather than "never". */
const TRANSIENT = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

interface SlackErrorShape {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  headers?: Record<string, string>;
  data?: { error?: string; response_metadata?: { retryAfter?: number } };
}

/**
 * How long to wait before calling Slack again after `err`, or undefined when trying again
 * cannot help (message_not_found, not_in_channel, invalid_blocks...). Slack's Retry-After
 * wins; otherwise an exponential backoff from `baseMs`.
 */
export function slackRetryDelayMs(err: unknown, attempt: number, baseMs = 1000): number | undefined {
  const e = (err ?? {}) as SlackErrorShape;
  const backoff = Math.min(baseMs * 2 ** attempt, 30_000);
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : backoff;
    case ErrorCode.PlatformError: {
      if (!TRANSIENT.has(e.data?.error ?? '')) return undefined;
      const after = e.data?.response_metadata?.retryAfter;
      return typeof after === 'number' ? after * 1000 : backoff;
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status !== 429 && status < 500) return undefined;
      const after = Number(e.headers?.['retry-after']);
      return Number.isFinite(after) && after > 0 ? after * 1000 : backoff;
    }
    case ErrorCode.RequestError:
      return backoff;
    default:
      return undefined;
  }
}

export interface SlackRetryOptions {
  /** Attempts after the first; 0 tries once. */
  retries: number;
  /** Give up (rethrow) rather than wait past this many ms in total. */
  maxTotalMs?: number;
  baseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (err: unknown, waitMs: number, attempt: number) => void;
}

/** Calls Slack until it accepts, waiting as Slack asks, within a bound; rethrows the last error. */
export async function withSlackRetry<T>(call: () => Promise<T>, options: SlackRetryOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const wait = slackRetryDelayMs(err, attempt, options.baseMs);
      const tooLate =
        options.maxTotalMs !== undefined &&
        wait !== undefined &&
        Date.now() + wait - started > options.maxTotalMs;
      if (wait === undefined || attempt >= options.retries || tooLate) throw err;
      options.onRetry?.(err, wait, attempt + 1);
      await sleep(wait);
    }
  }
}

/** Short Slack error code for logs and messages (never the token or the request). */
export function slackErrorCode(err: unknown): string {
  const e = (err ?? {}) as SlackErrorShape;
  if (e.code === ErrorCode.PlatformError) return e.data?.error ?? 'error';
  if (e.code === ErrorCode.HTTPError) return `HTTP ${e.statusCode ?? '?'}`;
  if (e.code === ErrorCode.RateLimitedError) return 'rate limited';
  if (e.code === ErrorCode.RequestError) return 'network error';
  return err instanceof Error ? err.message : 'error';
}
