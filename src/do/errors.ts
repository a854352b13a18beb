import { AxiosError } from 'axios';
import { ZodError } from 'zod';
import { DocksideError, type ErrorCode, isDocksideError } from '../errors.js';
import { escapeText } from '../render/format.js';
import { scrub } from '../secrets.js';
import { requestedWaitMs, UNPARSABLE_BODY } from './http.js';

/**
 * A failed DigitalOcean call. `outcomeUnknown`: a write that got no answer, a 5xx or an
 * unreadable answer may still have been applied (a deployment started), so the caller
 * must find out rather than say that nothing was done.
 */
export class DoCallError extends DocksideError {
  readonly outcomeUnknown: boolean;
  constructor(code: ErrorCode, message: string, options: { hint?: string; outcomeUnknown?: boolean } = {}) {
    super(code, message, options.hint === undefined ? {} : { hint: options.hint });
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

export function isOutcomeUnknown(err: unknown): boolean {
  return err instanceof DoCallError && err.outcomeUnknown;
}

/** What a failed call was about, in words a person in Slack understands. */
export interface CallSubject {
  /** The thing that a 404 means is missing, e.g. "App 6f0e…". */
  thing: string;
  /** What dockside was doing, e.g. "create a deployment of app 6f0e…". */
  action: string;
  /** The token scopes the call needs (OpenAPI `security`), named when DigitalOcean refuses the token. */
  scopes?: readonly string[];
  /** What a 400/422 refusal of this call usually means and what to do, when that is known. */
  refusedHint?: string;
}

/** DigitalOcean's own explanation (`{"id":"...","message":"..."}`), scrubbed and short. */
function doMessage(data: unknown): string | undefined {
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (data !== null && typeof data === 'object') {
    const { message, id } = data as { message?: unknown; id?: unknown };
    if (typeof message === 'string') text = message;
    else if (typeof id === 'string') text = id;
  }
  if (!text?.trim()) return undefined;
  const clean = scrub(text.trim().replace(/\s+/g, ' '));
  // Error texts end up in Slack mrkdwn: DigitalOcean's words are escaped where they enter it.
  return escapeText(clean.length > 300 ? `${clean.slice(0, 297)}...` : clean);
}

/**
 * The `request_id` DigitalOcean adds to some error bodies (shared/models/error.yml): worth
 * quoting to its support. Only an id-shaped value is kept: it is rendered into Slack.
 */
function doRequestId(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const id = (data as { request_id?: unknown }).request_id;
  return typeof id === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : undefined;
}

function withRequestId(hint: string | undefined, data: unknown): { hint?: string } {
  const id = doRequestId(data);
  const quote = id ? `DigitalOcean request id ${id} (quote it to DigitalOcean support).` : undefined;
  const text = [hint, quote].filter(Boolean).join(' ');
  return text ? { hint: text } : {};
}

function waitHint(seconds: number | undefined): string {
  if (seconds === undefined) return 'Try again in a minute.';
  if (seconds < 90) return `Try again in ${Math.max(1, seconds)} seconds.`;
  return `Try again in about ${Math.ceil(seconds / 60)} minutes.`;
}

/**
 * Turns anything a DigitalOcean call threw into a DocksideError. The AxiosError is
 * deliberately not kept as `cause`: it carries the request config, Authorization
 * header included, and would leak the token to whoever logs the error.
 */
export function toDocksideError(err: unknown, subject: CallSubject, now: () => number): DocksideError {
  if (isDocksideError(err)) return err;
  if (err instanceof ZodError) {
    const paths = err.issues.map((i) => i.path.join('.') || '(root)').slice(0, 5);
    return new DocksideError(
      'do_api_failed',
      `DigitalOcean answered in an unexpected shape when trying to ${subject.action} (fields: ${paths.join(', ')})`,
      { hint: 'This is probably a DigitalOcean API change; please report it to the dockside maintainers.' },
    );
  }
  if (!(err instanceof AxiosError)) {
    const message = err instanceof Error ? err.message : String(err);
    return new DocksideError('do_api_failed', scrub(`Could not ${subject.action}: ${escapeText(message)}`));
  }
  const write = !['get', 'head'].includes((err.config?.method ?? 'get').toLowerCase());
  const response = err.response;
  if (!response) {
    const timedOut = err.code === AxiosError.ECONNABORTED || err.code === AxiosError.ETIMEDOUT;
    const why = timedOut ? 'the request timed out' : `network error ${err.code ?? 'unknown'}`;
    return new DoCallError('do_api_failed', `Could not reach DigitalOcean to ${subject.action}: ${why}`, {
      hint: 'Check https://status.digitalocean.com and try again.',
      outcomeUnknown: write,
    });
  }
  const status = response.status;
  if (err.code === UNPARSABLE_BODY) {
    // A garbled answer (a proxy's error page, a cut-off body) is a passing fault, not an API change.
    return new DoCallError(
      'do_api_failed',
      `DigitalOcean's answer could not be read (HTTP ${status}, not JSON) when trying to ${subject.action}`,
      { hint: 'Check https://status.digitalocean.com and try again.', outcomeUnknown: write },
    );
  }
  const said = doMessage(response.data);
  const suffix = said ? `: ${said}` : '';
  if (status === 404) {
    return new DocksideError('do_not_found', `${subject.thing} was not found on DigitalOcean`, {
      hint: 'Check the id in dockside.yml and that DIGITALOCEAN_TOKEN belongs to the team that owns it.',
    });
  }
  if (status === 429) {
    const waitMs = requestedWaitMs(status, response.headers, now());
    return new DocksideError(
      'do_rate_limited',
      `DigitalOcean is rate-limiting dockside's API token, so it could not ${subject.action}`,
      { hint: waitHint(waitMs === undefined ? undefined : Math.ceil(waitMs / 1000)) },
    );
  }
  if (status === 401 || status === 403) {
    const scopes = subject.scopes?.length
      ? `check DIGITALOCEAN_TOKEN has read/write scope, or, for a custom-scoped token, ${subject.scopes.join(', ')}`
      : 'check DIGITALOCEAN_TOKEN has read/write scope';
    return new DocksideError(
      'do_api_failed',
      `DigitalOcean refused dockside's token (HTTP ${status}) when trying to ${subject.action}${suffix}`,
      withRequestId(scopes, response.data),
    );
  }
  const refused = (status === 400 || status === 422) && subject.refusedHint ? subject.refusedHint : undefined;
  return new DoCallError(
    'do_api_failed',
    `DigitalOcean could not ${subject.action} (HTTP ${status})${suffix}`,
    status >= 500
      ? {
          ...withRequestId('Check https://status.digitalocean.com and try again.', response.data),
          outcomeUnknown: write,
        }
      : withRequestId(refused, response.data),
  );
}
