import type { EventEmitter } from 'node:events';

/** What the fake Slack records and offers to the sandbox and the tests (see fake-slack.ts). */
export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** How many times chat.update changed it. */
  updates: number;
  /** Set on a thread reply: the `ts` of the message it replies to. */
  thread_ts?: string;
  /** A thread reply also shown in the channel (`reply_broadcast`). */
  reply_broadcast?: boolean;
  /** On a message that has replies: how many. */
  reply_count?: number;
  /** Deleted (FakeSlack.deleteMessage): neither updated nor replied to any more. */
  deleted?: boolean;
  /** Message metadata posted with it; conversations.replies returns it with include_all_metadata. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
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
  /** Channels where thread replies are refused (`restricted_action_non_threadable_channel`), as an admin can set. */
  noThreads: Set<string>;
  /** The replies in a message's thread, oldest first. */
  replies(parent: { channel: string; ts: string }): FakeMessage[];
  /** Deletes a message as a person would (chat.update and replies to it are refused after). */
  deleteMessage(channel: string, ts: string): void;
  /** What apps.connections.open hands out (Socket Mode tests set it). */
  socketModeUrl?: string;
  responseUrl(id?: string): string;
  /** A fresh trigger id, as Slack puts in each command and interaction; good once, for 3 s. */
  issueTrigger(): string;
  /** The next `count` calls of `method` answer HTTP 429 `ratelimited` with `Retry-After`. */
  rateLimit(method: string, count?: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}
