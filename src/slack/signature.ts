import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's request signing: v0= + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`). */
export function signRequest(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type SignatureProblem = 'missing_headers' | 'stale_timestamp' | 'bad_signature';

/**
 * Checks signature and timestamp. Unlike Bolt's own check, timestamps in the future
 * beyond the window are rejected too: a captured request cannot be replayed later
 * by pre-dating nothing, and a skewed sender is told so.
 */
export function verifyRequest(options: {
  secret: string;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  body: string;
  nowMs: number;
  windowSeconds?: number;
}): SignatureProblem | null {
  const { secret, timestampHeader, signatureHeader, body, nowMs } = options;
  if (!timestampHeader || !signatureHeader) return 'missing_headers';
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp)) return 'missing_headers';
  const window = options.windowSeconds ?? 300;
  if (Math.abs(Math.floor(nowMs / 1000) - timestamp) > window) return 'stale_timestamp';
  const expected = Buffer.from(signRequest(secret, timestamp, body));
  const given = Buffer.from(signatureHeader);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad_signature';
  return null;
}
