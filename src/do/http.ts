import axios, { type AxiosAdapter, AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { Logger } from '../logger.js';
import { routeTemplate } from './route.js';

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DoCallInfo {
  method: string;
  /** Path template such as `/v2/apps/:id/deployments`; the method is its own field. */
  route: string;
  status: number | 'error';
  durationMs: number;
}

export interface DoHttpOptions {
  token: string;
  endpoint: string;
  timeoutMs: number;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random?: () => number;
  onCall?: (info: DoCallInfo) => void;
  log?: Logger;
}

export const DEFAULT_ENDPOINT = 'https://api.digitalocean.com/v2';
export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Only reads are retried. A POST/PUT/DELETE that timed out or got a 5xx may still
 * have been applied by DigitalOcean (a deployment started, a cluster created), and
 * sending it again would do it twice; the caller is told instead.
 */
const RETRIED_METHODS = new Set(['get', 'head']);

type Headers = AxiosResponse['headers'];

/** AxiosError code for a response whose body is not JSON (retried like a 5xx on reads). */
export const UNPARSABLE_BODY = 'ERR_DO_UNPARSABLE_BODY';

function unparsable(data: unknown): boolean {
  if (typeof data !== 'string' || data.trim() === '') return false;
  try {
    JSON.parse(data);
    return false;
  } catch {
    return true;
  }
}

function header(headers: Headers | undefined, name: string): string | undefined {
  const value: unknown = headers?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * How long DigitalOcean asked us to wait, in ms: `retry-after` (burst limit, 503s),
 * else for a 429 the `ratelimit-reset` epoch. Undefined when it did not say.
 */
export function requestedWaitMs(
  status: number,
  headers: Headers | undefined,
  now: number,
): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = status === 429 ? Number(header(headers, 'ratelimit-reset')) : Number.NaN;
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** The delay before the next attempt, or undefined when this failure must not be retried. */
export function retryDelayMs(
  method: string,
  err: unknown,
  attempt: number,
  policy: RetryPolicy,
  now: number,
  random: () => number,
): number | undefined {
  if (!RETRIED_METHODS.has(method) || attempt >= policy.retries) return undefined;
  if (!(err instanceof AxiosError) || err.code === AxiosError.ERR_CANCELED) return undefined;
  const status = err.code === UNPARSABLE_BODY ? 502 : err.response?.status;
  if (status !== undefined && status !== 429 && status < 500) return undefined;
  if (status !== undefined) {
    const requested = requestedWaitMs(status, err.response?.headers, now);
    // A wait longer than we would ever back off (the hourly limit) is better reported
    // to the person than sat out while their Slack message shows nothing.
    if (requested !== undefined) return requested > policy.maxDelayMs ? undefined : requested;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function pathOf(url: string | undefined, basePath: string): string {
  if (!url) return basePath;
  if (/^https?:\/\//i.test(url)) return new URL(url).pathname;
  return `${basePath}${url.startsWith('/') ? '' : '/'}${url}`;
}

/**
 * One axios instance for every DigitalOcean call, dots-wrapper's and ours, so they
 * share the token, base URL, timeout, retries and the per-attempt `onCall` report.
 * Retries live in the adapter: it sees every attempt (request interceptors run once
 * per call), and the timeout applies to each attempt.
 */
export function createDoHttp(options: DoHttpOptions): AxiosInstance {
  const send = axios.getAdapter('http');
  const basePath = new URL(options.endpoint).pathname.replace(/\/$/, '');
  const random = options.random ?? Math.random;

  const adapter: AxiosAdapter = async (config) => {
    const method = (config.method ?? 'get').toLowerCase();
    const route = routeTemplate(pathOf(config.url, basePath));
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const report = (status: number | 'error') =>
        options.onCall?.({
          method: method.toUpperCase(),
          route,
          status,
          durationMs: performance.now() - started,
        });
      try {
        const response = await send(config);
        report(response.status);
        if (unparsable(response.data)) {
          throw new AxiosError(
            'DigitalOcean answered with a body that is not JSON',
            UNPARSABLE_BODY,
            config,
            response.request,
            response,
          );
        }
        return response;
      } catch (err) {
        const status = err instanceof AxiosError && err.response ? err.response.status : 'error';
        report(status);
        const delay = retryDelayMs(method, err, attempt, options.retry, options.now(), random);
        if (delay === undefined) throw err;
        // Only plain fields: an AxiosError carries the request headers, token included.
        options.log?.warn(
          { method: method.toUpperCase(), route, status, attempt: attempt + 1, delayMs: delay },
          'DigitalOcean call failed, retrying',
        );
        await options.sleep(delay);
      }
    }
  };

  return axios.create({
    baseURL: options.endpoint,
    timeout: options.timeoutMs,
    headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' },
    adapter,
  });
}
