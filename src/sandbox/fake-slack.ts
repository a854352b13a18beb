import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockProblems, MANIFEST_BOT_SCOPES, METHOD_SCOPES } from './fake-slack-rules.js';

/**
 * A local stand-in for Slack's Web API and response_url endpoints. It records what
 * the bot posts so the sandbox can print it and tests can assert on it, and it refuses
 * what Slack refuses, in Slack's shapes: unknown or wrong tokens (`not_authed`,
 * `invalid_auth`), missing scopes, `invalid_blocks`, `not_in_channel`, trigger ids that
 * are unknown, used or older than 3 seconds, and `ratelimited` (HTTP 429 with
 * Retry-After) when a test asks for it. Only the methods dockside calls are implemented;
 * anything else answers `unknown_method`.
 */
export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** How many times chat.update changed it. */
  updates: number;
  thread_ts?: string;
}

export interface FakeEphemeral {
  channel?: string;
  user?: string;
  text: string;
  blocks: unknown[];
  via: 'response_url' | 'chat.postEphemeral';
  responseType?: string;
  /** The response_url it was posted to (answers to one command share it). */
  responseUrl?: string;
}

export interface FakeFile {
  id: string;
  filename: string;
  /** The length files.getUploadURLExternal was told. */
  length: number;
  content: Buffer;
  channel?: string;
  title?: string;
  initialComment?: string;
  threadTs?: string;
}

/** A modal opened with views.open; `id` is what a submission carries. */
export type FakeView = Record<string, unknown> & { id: string };

export interface FakeSlack {
  url: string;
  /** Base for Bolt's clientOptions.slackApiUrl. */
  apiUrl: string;
  /** The bot token it accepts (SLACK_BOT_TOKEN). */
  botToken: string;
  /** The app-level token it accepts for apps.connections.open (SLACK_APP_TOKEN). */
  appToken: string;
  /** Scopes granted to the bot token; remove one to see `missing_scope`. */
  scopes: Set<string>;
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  files: FakeFile[];
  calls: Array<{ method: string; params: Record<string, unknown> }>;
  /** Calls Slack refused, with the error it answered. */
  refusals: Array<{ method: string; error: string }>;
  views: FakeView[];
  events: EventEmitter;
  usergroups: Map<string, string[]>;
  /** Channels the bot is not a member of (posting there answers not_in_channel). */
  notInChannel: Set<string>;
  /** What apps.connections.open hands out (Socket Mode tests set it). */
  socketModeUrl?: string;
  responseUrl(id?: string): string;
  /** A fresh trigger id, as Slack puts in each command and interaction; good once, for 3 s. */
  issueTrigger(): string;
  /** The next `count` calls of `method` answer HTTP 429 `ratelimited` with `Retry-After`. */
  rateLimit(method: string, count?: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

const TRIGGER_TTL_MS = 3000;
const RESPONSE_URL_POSTS = 5;
const RESPONSE_URL_WINDOW_MS = 30 * 60_000;

function parseParams(raw: string, contentType: string): Record<string, unknown> {
  const params: Record<string, unknown> = contentType.includes('json')
    ? (JSON.parse(raw || '{}') as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'view', 'files']) {
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
async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
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

type Answer = Record<string, unknown>;
const refuse = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

export async function startFakeSlack(
  options: {
    port?: number;
    usergroups?: Record<string, string[]>;
    botToken?: string;
    appToken?: string;
    scopes?: string[];
    /** Milliseconds now; trigger ids expire on it. */
    now?: () => number;
  } = {},
): Promise<FakeSlack> {
  const now = options.now ?? Date.now;
  const botToken = options.botToken ?? `xoxb-fake-${randomBytes(12).toString('hex')}`;
  const appToken = options.appToken ?? `xapp-1-fake-${randomBytes(12).toString('hex')}`;
  const messages: FakeMessage[] = [];
  const ephemerals: FakeEphemeral[] = [];
  const files: FakeFile[] = [];
  const pendingFiles = new Map<string, FakeFile>();
  const calls: FakeSlack['calls'] = [];
  const refusals: FakeSlack['refusals'] = [];
  const views: FakeView[] = [];
  const events = new EventEmitter();
  const usergroups = new Map(Object.entries(options.usergroups ?? {}));
  const notInChannel = new Set<string>();
  const scopes = new Set(options.scopes ?? MANIFEST_BOT_SCOPES);
  /** trigger id -> when issued; deleted when exchanged. */
  const triggers = new Map<string, number>();
  const exchanged = new Set<string>();
  const limited = new Map<string, { count: number; retryAfter: number }>();
  /** response_url path -> when it was handed out and how often it was used. */
  const responseUrls = new Map<string, { at: number; posts: number }>();
  let seq = 0;
  const nextTs = () => `${Math.floor(now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const fresh = (prefix: string) => `${prefix}${randomBytes(5).toString('hex').toUpperCase()}`;

  /** A message's text and blocks as Slack checks them: one of them, and valid blocks. */
  function contentProblem(p: Record<string, unknown>): Answer | undefined {
    const problems = blockProblems(p.blocks);
    if (problems.length > 0) {
      return refuse('invalid_blocks', {
        errors: problems,
        response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) },
      });
    }
    const hasBlocks = Array.isArray(p.blocks) && p.blocks.length > 0;
    if (!hasBlocks && (typeof p.text !== 'string' || p.text === '')) return refuse('no_text');
    return undefined;
  }

  const methods: Record<string, (p: Record<string, unknown>) => Answer> = {
    'auth.test': () => ({
      ok: true,
      user_id: 'UDOCKSIDE',
      bot_id: 'BDOCKSIDE',
      team_id: 'TSANDBOX',
      user: 'dockside',
    }),
    'chat.postMessage': (p) => {
      const channel = String(p.channel ?? '');
      if (!channel) return refuse('channel_not_found');
      if (notInChannel.has(channel)) return refuse('not_in_channel');
      const bad = contentProblem(p);
      if (bad) return bad;
      const message: FakeMessage = {
        channel,
        ts: nextTs(),
        text: String(p.text ?? ''),
        blocks: (p.blocks as unknown[]) ?? [],
        updates: 0,
        ...(p.thread_ts ? { thread_ts: String(p.thread_ts) } : {}),
      };
      messages.push(message);
      events.emit('message', message);
      return { ok: true, channel, ts: message.ts, message: { text: message.text } };
    },
    'chat.update': (p) => {
      const message = messages.find((m) => m.channel === p.channel && m.ts === p.ts);
      if (!message) return refuse('message_not_found');
      if (notInChannel.has(message.channel)) return refuse('not_in_channel');
      const bad = contentProblem(p);
      if (bad) return bad;
      message.text = String(p.text ?? '');
      message.blocks = (p.blocks as unknown[]) ?? [];
      message.updates++;
      events.emit('update', message);
      return { ok: true, channel: message.channel, ts: message.ts };
    },
    'chat.postEphemeral': (p) => {
      const channel = String(p.channel ?? '');
      if (!p.user) return refuse('user_not_found');
      if (notInChannel.has(channel)) return refuse('not_in_channel');
      const bad = contentProblem(p);
      if (bad) return bad;
      const e: FakeEphemeral = {
        channel,
        user: String(p.user),
        text: String(p.text ?? ''),
        blocks: (p.blocks as unknown[]) ?? [],
        via: 'chat.postEphemeral',
      };
      ephemerals.push(e);
      events.emit('ephemeral', e);
      return { ok: true, message_ts: nextTs() };
    },
    'usergroups.users.list': (p) => {
      const members = usergroups.get(String(p.usergroup));
      return members ? { ok: true, users: members } : refuse('no_such_subteam');
    },
    'conversations.info': (p) => {
      const id = String(p.channel);
      return { ok: true, channel: { id, name: id.toLowerCase(), is_member: !notInChannel.has(id) } };
    },
    'files.getUploadURLExternal': (p) => {
      const length = Number(p.length);
      if (typeof p.filename !== 'string' || p.filename === '' || !Number.isInteger(length) || length < 1) {
        return refuse('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] filename and a positive length are required'] },
        });
      }
      const id = fresh('F');
      pendingFiles.set(id, { id, filename: p.filename, length, content: Buffer.alloc(0) });
      return { ok: true, upload_url: `${fake.url}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (p) => {
      const list = Array.isArray(p.files) ? (p.files as Array<{ id?: string; title?: string }>) : [];
      if (list.length === 0) return refuse('invalid_arguments');
      const channel = p.channel_id ? String(p.channel_id) : undefined;
      if (channel && notInChannel.has(channel)) return refuse('not_in_channel');
      const done: FakeFile[] = [];
      for (const f of list) {
        const file = f.id ? pendingFiles.get(f.id) : undefined;
        // Slack knows the file only once its bytes arrived, all of them.
        if (!file || file.content.length !== file.length) return refuse('file_not_found');
        done.push(file);
      }
      for (const file of done) {
        pendingFiles.delete(file.id);
        const title = list.find((f) => f.id === file.id)?.title;
        Object.assign(file, {
          ...(channel ? { channel } : {}),
          ...(title ? { title } : {}),
          ...(p.initial_comment ? { initialComment: String(p.initial_comment) } : {}),
          ...(p.thread_ts ? { threadTs: String(p.thread_ts) } : {}),
        });
        files.push(file);
        events.emit('file', file);
      }
      return { ok: true, files: done.map((f) => ({ id: f.id, title: f.title ?? f.filename })) };
    },
    'views.open': (p) => {
      const trigger = String(p.trigger_id ?? '');
      if (exchanged.has(trigger)) return refuse('exchanged_trigger_id');
      const issued = triggers.get(trigger);
      if (issued === undefined) return refuse('invalid_trigger_id');
      triggers.delete(trigger);
      exchanged.add(trigger);
      if (now() - issued > TRIGGER_TTL_MS) return refuse('expired_trigger_id');
      const view = p.view as Record<string, unknown> | undefined;
      if (!view || typeof view !== 'object' || view.type !== 'modal') return refuse('invalid_arguments');
      const problems = blockProblems(view.blocks);
      if (problems.length > 0) return refuse('invalid_blocks', { errors: problems });
      const opened: FakeView = { ...view, id: fresh('V') };
      views.push(opened);
      events.emit('view', opened);
      return { ok: true, view: opened };
    },
  };

  /** Slack checks the token, then the scope, then the method's own arguments. */
  function call(method: string, params: Record<string, unknown>, authorization: string | undefined): Answer {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1] ?? (params.token as string | undefined);
    if (method === 'apps.connections.open') {
      if (!token) return refuse('not_authed');
      if (token === botToken) return refuse('not_allowed_token_type');
      if (token !== appToken) return refuse('invalid_auth');
      return fake.socketModeUrl ? { ok: true, url: fake.socketModeUrl } : refuse('internal_error');
    }
    const handler = methods[method];
    if (!handler) return refuse('unknown_method');
    if (!token) return refuse('not_authed');
    if (token === appToken) return refuse('not_allowed_token_type');
    if (token !== botToken) return refuse('invalid_auth');
    const needed = METHOD_SCOPES[method];
    if (needed && !scopes.has(needed)) {
      return refuse('missing_scope', { needed, provided: [...scopes].join(',') });
    }
    return handler(params);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const contentType = req.headers['content-type'] ?? '';
        const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
        };
        if (path.startsWith('/upload/')) {
          const file = pendingFiles.get(path.slice('/upload/'.length));
          if (!file) return send(404, { ok: false, error: 'not_found' });
          file.content = await uploadedBytes(raw, contentType);
          res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.content.length}`);
          return;
        }
        if (path.startsWith('/response/')) {
          // A response_url takes 5 posts within 30 minutes of the command, then refuses.
          const issued = responseUrls.get(path);
          const problem = !issued
            ? 'invalid_url'
            : now() - issued.at > RESPONSE_URL_WINDOW_MS
              ? 'expired_url'
              : issued.posts >= RESPONSE_URL_POSTS
                ? 'used_url'
                : undefined;
          if (problem || !issued) {
            refusals.push({ method: 'response_url', error: problem ?? 'invalid_url' });
            res.writeHead(404, { 'content-type': 'text/plain' }).end(problem);
            return;
          }
          issued.posts += 1;
          const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
          const problems = blockProblems(body.blocks);
          // response_url answers in plain text, not the Web API's JSON.
          if (problems.length > 0) {
            res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_blocks');
            return;
          }
          const e: FakeEphemeral = {
            text: String(body.text ?? ''),
            blocks: (body.blocks as unknown[]) ?? [],
            via: 'response_url',
            responseType: String(body.response_type ?? 'ephemeral'),
            responseUrl: `${url}${path}`,
          };
          ephemerals.push(e);
          events.emit('ephemeral', e);
          return send(200, { ok: true });
        }
        if (path.startsWith('/api/')) {
          const method = path.slice('/api/'.length);
          const params = parseParams(raw.toString('utf8'), contentType);
          calls.push({ method, params });
          const limit = limited.get(method);
          if (limit && limit.count > 0) {
            limit.count -= 1;
            refusals.push({ method, error: 'ratelimited' });
            return send(429, refuse('ratelimited'), { 'retry-after': String(limit.retryAfter) });
          }
          const answer = call(method, params, req.headers.authorization);
          if (answer.ok === false) refusals.push({ method, error: String(answer.error) });
          return send(200, answer);
        }
        send(404, { ok: false, error: 'not_found' });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const fake: FakeSlack = {
    url,
    apiUrl: `${url}/api/`,
    botToken,
    appToken,
    scopes,
    messages,
    ephemerals,
    files,
    calls,
    refusals,
    views,
    events,
    usergroups,
    notInChannel,
    responseUrl(id = fresh('R')) {
      const path = `/response/${id}`;
      if (!responseUrls.has(path)) responseUrls.set(path, { at: now(), posts: 0 });
      return `${url}${path}`;
    },
    issueTrigger() {
      const id = `${++seq}.${Math.floor(now() / 1000)}.${randomBytes(8).toString('hex')}`;
      triggers.set(id, now());
      return id;
    },
    rateLimit(method, count = 1, retryAfterSeconds = 1) {
      limited.set(method, { count, retryAfter: retryAfterSeconds });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
