import { blockProblems } from './fake-slack-rules.js';
import type { FakeEphemeral } from './fake-slack-types.js';

/** How the fake Slack reads requests: Web API parameters, uploads, and posts to a response_url. */

export function parseParams(raw: string, contentType: string): Record<string, unknown> {
  const params: Record<string, unknown> = contentType.includes('json')
    ? (JSON.parse(raw || '{}') as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'view', 'files', 'metadata']) {
    const value = params[key];
    if (typeof value === 'string') {
      try {
        params[key] = JSON.parse(value);
      } catch {
        // left as text; the block check refuses it
      }
    }
  }
  return params;
}

/** The bytes of an upload, sent raw, form-encoded or as multipart (what @slack/web-api does). */
export async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
  if (
    contentType.startsWith('multipart/form-data') ||
    contentType.startsWith('application/x-www-form-urlencoded')
  ) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    for (const [, value] of form) {
      return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(await value.arrayBuffer());
    }
    return Buffer.alloc(0);
  }
  return raw;
}

const RESPONSE_URL_POSTS = 5;
const RESPONSE_URL_WINDOW_MS = 30 * 60_000;

/**
 * A post to a response_url: 5 within 30 minutes of the command, then refused. It answers in
 * plain text, not the Web API's JSON. `issued` is counted on when the post is taken.
 */
export function responseUrlPost(
  at: { issued: { at: number; posts: number } | undefined; now: number; url: string },
  raw: Buffer,
): { ephemeral: FakeEphemeral } | { status: number; text: string; refusal?: string } {
  const { issued } = at;
  const problem = !issued
    ? 'invalid_url'
    : at.now - issued.at > RESPONSE_URL_WINDOW_MS
      ? 'expired_url'
      : issued.posts >= RESPONSE_URL_POSTS
        ? 'used_url'
        : undefined;
  if (problem || !issued)
    return { status: 404, text: problem ?? 'invalid_url', refusal: problem ?? 'invalid_url' };
  issued.posts += 1;
  const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
  if (blockProblems(body.blocks).length > 0) return { status: 400, text: 'invalid_blocks' };
  return {
    ephemeral: {
      text: String(body.text ?? ''),
      blocks: (body.blocks as unknown[]) ?? [],
      via: 'response_url',
      responseType: String(body.response_type ?? 'ephemeral'),
      responseUrl: at.url,
    },
  };
}
