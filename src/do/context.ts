import type { z } from 'zod';
import { type Clock, sleep as realSleep, systemClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { registerSecret } from '../secrets.js';
import type { DoContext } from './app-platform-extra.js';
import { type CallSubject, toDocksideError } from './errors.js';
import { createDoHttp, DEFAULT_ENDPOINT, DEFAULT_RETRY, type DoCallInfo, type RetryPolicy } from './http.js';

export interface DoClientOptions {
  token: string;
  /** Base URL including `/v2` (DIGITALOCEAN_API_URL); default DigitalOcean's. */
  endpoint?: string;
  /** Per attempt. Default 15 s, as dots-wrapper. */
  timeoutMs?: number;
  /** Applies to reads only; writes are never re-sent. */
  retry?: RetryPolicy;
  /** Called once per HTTP attempt, retries included (Prometheus). */
  onCall?: (info: DoCallInfo) => void;
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
}

/**
 * The context every DigitalOcean client of dockside is built on: one axios instance
 * with the token, base URL, timeout, read retries and the per-attempt report. Both
 * the DoClient and the AppOpsClient take it, so they behave alike.
 */
export function createDoContext(options: DoClientOptions): { context: DoContext; clock: Clock } {
  registerSecret(options.token);
  const clock = options.clock ?? systemClock;
  const endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const httpClient = createDoHttp({
    token: options.token,
    endpoint,
    timeoutMs: options.timeoutMs ?? 15_000,
    retry: options.retry ?? DEFAULT_RETRY,
    sleep: options.sleep ?? realSleep,
    now: () => clock.now(),
    ...(options.random ? { random: options.random } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { context: { endpoint, httpClient }, clock };
}

/** One DigitalOcean call: send, parse the answer with `schema`, turn any failure into a DocksideError. */
export function callFor(clock: Clock) {
  return async function call<S extends z.ZodType>(
    subject: CallSubject,
    schema: S,
    send: () => Promise<{ data: unknown }>,
  ): Promise<z.output<S>> {
    try {
      const response = await send();
      return schema.parse(response.data);
    } catch (err) {
      throw toDocksideError(err, subject, () => clock.now());
    }
  };
}
