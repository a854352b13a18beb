/**
 * Fetches the text behind DigitalOcean's log links. The links are pre-signed URLs
 * to archived files (or an https live stream): they carry their own credentials, so
 * the API token is never sent with them, and they are never logged or shown. What is
 * read is bounded in bytes: only the end of a log matters to "the last N lines".
 */
import { DocksideError } from '../errors.js';
import type { LogLinks, LogText } from './app-ops-port.js';

export const DEFAULT_MAX_LOG_BYTES = 512 * 1024;
/** An archive that ignores Range is read through to its end, but never past this. */
export const MAX_TRANSFER_BYTES = 32 * 1024 * 1024;

export interface ReadLogOptions {
  maxBytes?: number;
  /** Per URL; a live stream is read until then and what arrived is kept. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** https anywhere; plain http only on this machine (the simulator and tests). */
function fetchable(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url;
  return undefined;
}

/** Keeps the last `max` bytes of a stream; stops reading once more than `stopAfter` bytes came. */
async function readTail(
  body: ReadableStream<Uint8Array>,
  max: number,
  stopAfter: number,
): Promise<{ bytes: Buffer; total: number; cut: boolean; ended: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let cut = false;
  let ended = false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      const chunk = Buffer.from(value);
      total += chunk.length;
      chunks.push(chunk);
      kept += chunk.length;
      while (kept - (chunks[0]?.length ?? 0) >= max) {
        kept -= chunks.shift()?.length ?? 0;
        cut = true;
      }
      if (total > stopAfter) break;
    }
  } catch (err) {
    // Our timeout: what arrived is the answer (a live stream never ends by itself).
    if (!(err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError'))) throw err;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const all = Buffer.concat(chunks);
  if (all.length > max) cut = true;
  return { bytes: all.length > max ? all.subarray(all.length - max) : all, total, cut, ended };
}

async function readOne(
  url: URL,
  budget: number,
  live: boolean,
  options: Required<Pick<ReadLogOptions, 'timeoutMs'>> & { fetch: typeof fetch },
): Promise<{ text: string; bytes: number; truncated: boolean; endMissing: boolean }> {
  let response: Response;
  try {
    response = await options.fetch(url, {
      // A suffix range asks for the end only; servers that ignore it send everything.
      headers: live ? {} : { Range: `bytes=-${budget}` },
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new DocksideError(
      'do_api_failed',
      timedOut
        ? 'The archived log did not arrive in time from DigitalOcean.'
        : 'The archived log could not be fetched from DigitalOcean.',
      { hint: 'Try again in a minute.' },
    );
  }
  if (response.status === 416) return { text: '', bytes: 0, truncated: false, endMissing: false };
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new DocksideError(
      'do_api_failed',
      `DigitalOcean's log archive answered HTTP ${response.status}; the link may have expired.`,
      { hint: 'Run the command again to get fresh links.' },
    );
  }
  const partial = response.status === 206;
  const total = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? Number.NaN);
  // A live stream is read for a moment only (the timeout), so no transfer bound beyond it.
  const read = await readTail(response.body, budget, partial ? budget : MAX_TRANSFER_BYTES);
  let text = read.bytes.toString('utf8');
  const truncated = read.cut || (partial && Number.isFinite(total) && total > read.bytes.length);
  // The first line of a tail is usually cut in the middle (and maybe mid-character).
  if (truncated) text = text.slice(text.indexOf('\n') + 1);
  // An archive read to its end has its newest lines; one cut off (size or time) may not.
  return { text, bytes: read.bytes.length, truncated, endMissing: !live && !read.ended };
}

export async function readLogText(links: LogLinks, options: ReadLogOptions = {}): Promise<LogText> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  const settings = { timeoutMs: options.timeoutMs ?? 10_000, fetch: options.fetch ?? fetch };
  const historic = links.historicUrls.map(fetchable);
  if (historic.length > 0) {
    if (historic.some((u) => !u)) {
      throw new DocksideError('do_api_failed', 'DigitalOcean sent a log link dockside does not follow.', {
        hint: 'Only https links are fetched; please report this to the dockside maintainers.',
      });
    }
    // Newest text is in the last file: read backwards until the budget is spent.
    const parts: string[] = [];
    let left = maxBytes;
    let bytes = 0;
    let truncated = false;
    let endMissing = false;
    for (let i = historic.length - 1; i >= 0 && left > 0; i--) {
      const part = await readOne(historic[i] as URL, left, false, settings);
      parts.unshift(part.text);
      left -= part.bytes;
      bytes += part.bytes;
      truncated ||= part.truncated || (left <= 0 && i > 0);
      endMissing ||= part.endMissing;
    }
    const text = parts.map((p) => (p && !p.endsWith('\n') ? `${p}\n` : p)).join('');
    return { text, bytes, truncated, source: 'historic', ...(endMissing ? { endMissing } : {}) };
  }
  if (!links.liveUrl) return { text: '', bytes: 0, truncated: false, source: 'none' };
  const live = fetchable(links.liveUrl);
  if (!live) {
    throw new DocksideError(
      'not_available',
      'DigitalOcean offers this log only as a live stream (websocket), which dockside does not follow.',
      { hint: 'Try `doctl apps logs --follow`, or ask again once the deployment has finished.' },
    );
  }
  const part = await readOne(live, maxBytes, true, {
    ...settings,
    timeoutMs: Math.min(settings.timeoutMs, 5000),
  });
  const { endMissing: _never, ...rest } = part;
  return { ...rest, source: 'live' };
}
