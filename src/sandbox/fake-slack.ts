import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatMethods } from './fake-slack-chat.js';
import { parseParams, responseUrlPost, uploadedBytes } from './fake-slack-http.js';
import { blockProblems, MANIFEST_BOT_SCOPES, METHOD_SCOPES } from './fake-slack-rules.js';
import type { FakeEphemeral, FakeFile, FakeMessage, FakeSlack, FakeView } from './fake-slack-types.js';

export type { FakeEphemeral, FakeFile, FakeMessage, FakeSlack, FakeView } from './fake-slack-types.js';

const TRIGGER_TTL_MS = 3000;

type Answer = Record<string, unknown>;
const refuse = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

/**
 * A local stand-in for Slack's Web API and response_url endpoints. It records what
 * the bot posts so the sandbox can print it and tests can assert on it, and it refuses
 * what Slack refuses, in Slack's shapes: unknown or wrong tokens (`not_authed`,
 * `invalid_auth`), missing scopes, `invalid_blocks`, `not_in_channel`, trigger ids that
 * are unknown, used or older than 3 seconds, and `ratelimited` (HTTP 429 with
 * Retry-After) when a test asks for it. Only the methods dockside calls are implemented;
 * anything else answers `unknown_method`. Thread replies (`thread_ts`, `reply_broadcast`)
 * follow fake-slack-chat.ts.
 */
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
  const noThreads = new Set<string>();
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
    ...chatMethods({ messages, events, notInChannel, noThreads, nextTs, contentProblem }),
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
          const answer = responseUrlPost(
            { issued: responseUrls.get(path), now: now(), url: `${url}${path}` },
            raw,
          );
          if ('ephemeral' in answer) {
            ephemerals.push(answer.ephemeral);
            events.emit('ephemeral', answer.ephemeral);
            return send(200, { ok: true });
          }
          if (answer.refusal) refusals.push({ method: 'response_url', error: answer.refusal });
          res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text);
          return;
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
    noThreads,
    replies(parent) {
      return messages.filter(
        (m) => m.channel === parent.channel && m.thread_ts === parent.ts && m.ts !== parent.ts,
      );
    },
    deleteMessage(channel, ts) {
      const message = messages.find((m) => m.channel === channel && m.ts === ts);
      // Kept in the list (tests count by position), marked as Slack's tombstone would be.
      if (message) message.deleted = true;
    },
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
