import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API and response_url endpoints. It records what
 * the bot posts so the sandbox can print it and tests can assert on it. Only the
 * methods dockside calls are implemented; anything else answers `unknown_method`.
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
  content: Buffer;
  channel?: string;
  title?: string;
  initialComment?: string;
}

export interface FakeSlack {
  url: string;
  /** Base for Bolt's clientOptions.slackApiUrl. */
  apiUrl: string;
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  files: FakeFile[];
  calls: Array<{ method: string; params: Record<string, unknown> }>;
  views: Array<Record<string, unknown>>;
  events: EventEmitter;
  usergroups: Map<string, string[]>;
  /** Channels the bot is not a member of (chat.postMessage answers not_in_channel). */
  notInChannel: Set<string>;
  /** What apps.connections.open hands out (Socket Mode tests set it). */
  socketModeUrl?: string;
  responseUrl(id?: string): string;
  close(): Promise<void>;
}

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
        // left as text
      }
    }
  }
  return params;
}

export async function startFakeSlack(options: { port?: number; usergroups?: Record<string, string[]> } = {}) {
  const messages: FakeMessage[] = [];
  const ephemerals: FakeEphemeral[] = [];
  const files: FakeFile[] = [];
  const pendingFiles = new Map<string, FakeFile>();
  const calls: FakeSlack['calls'] = [];
  const views: FakeSlack['views'] = [];
  const events = new EventEmitter();
  const usergroups = new Map(Object.entries(options.usergroups ?? {}));
  const notInChannel = new Set<string>();
  let seq = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  const methods: Record<string, (p: Record<string, unknown>) => Record<string, unknown>> = {
    'apps.connections.open': () =>
      fake.socketModeUrl
        ? { ok: true, url: fake.socketModeUrl }
        : { ok: false, error: 'not_allowed_token_type' },
    'auth.test': () => ({
      ok: true,
      user_id: 'UDOCKSIDE',
      bot_id: 'BDOCKSIDE',
      team_id: 'TSANDBOX',
      user: 'dockside',
    }),
    'chat.postMessage': (p) => {
      const channel = String(p.channel);
      if (notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
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
      if (!message) return { ok: false, error: 'message_not_found' };
      message.text = String(p.text ?? '');
      message.blocks = (p.blocks as unknown[]) ?? [];
      message.updates++;
      events.emit('update', message);
      return { ok: true, channel: message.channel, ts: message.ts };
    },
    'chat.postEphemeral': (p) => {
      const e: FakeEphemeral = {
        channel: String(p.channel),
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
      return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
    },
    'conversations.info': (p) => {
      const id = String(p.channel);
      return { ok: true, channel: { id, name: id.toLowerCase(), is_member: !notInChannel.has(id) } };
    },
    'files.getUploadURLExternal': (p) => {
      const id = `F${String(++seq).padStart(8, '0')}`;
      pendingFiles.set(id, { id, filename: String(p.filename), content: Buffer.alloc(0) });
      return { ok: true, upload_url: `${fake.url}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (p) => {
      const list = (p.files as Array<{ id: string; title?: string }>) ?? [];
      for (const f of list) {
        const file = pendingFiles.get(f.id);
        if (!file) continue;
        pendingFiles.delete(f.id);
        Object.assign(file, {
          ...(p.channel_id ? { channel: String(p.channel_id) } : {}),
          ...(f.title ? { title: f.title } : {}),
          ...(p.initial_comment ? { initialComment: String(p.initial_comment) } : {}),
        });
        files.push(file);
        events.emit('file', file);
      }
      return { ok: true, files: list.map((f) => ({ id: f.id })) };
    },
    'views.open': (p) => {
      views.push(p.view as Record<string, unknown>);
      events.emit('view', p.view);
      return { ok: true, view: { id: `V${++seq}` } };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (path.startsWith('/upload/')) {
        const file = pendingFiles.get(path.slice('/upload/'.length));
        if (file) file.content = raw;
        return send(200, { ok: true });
      }
      if (path.startsWith('/response/')) {
        const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
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
        const params = parseParams(raw.toString('utf8'), req.headers['content-type'] ?? '');
        calls.push({ method, params });
        const handler = methods[method];
        return send(200, handler ? handler(params) : { ok: false, error: 'unknown_method' });
      }
      send(404, { ok: false, error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const fake: FakeSlack = {
    url,
    apiUrl: `${url}/api/`,
    messages,
    ephemerals,
    files,
    calls,
    views,
    events,
    usergroups,
    notInChannel,
    responseUrl: (id = String(++seq)) => `${url}/response/${id}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
