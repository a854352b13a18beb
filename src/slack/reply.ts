import type { KnownBlock } from '@slack/types';

/** A Slack message: `text` is the notification/fallback text, `blocks` the layout. */
export interface SlackMessage {
  text: string;
  blocks?: KnownBlock[];
  /** Message metadata (not shown): lets dockside recognise its own message when it reads a thread back. */
  metadata?: MessageMarker;
}

/** Slack's message metadata as dockside uses it: a type and a flat payload. */
export interface MessageMarker {
  event_type: string;
  event_payload: Record<string, string>;
}

/** A message of a thread as conversations.replies returns it (what dockside reads of it). */
export interface ThreadMessage {
  ts: string;
  text: string;
  metadata?: MessageMarker;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

/** Answers to the person who ran a command (through the command's response_url). */
export interface Reply {
  /** Only the caller sees it. */
  ephemeral(message: SlackMessage): Promise<void>;
  /** Visible to the channel; returns where it was posted so it can be updated. */
  inChannel(message: SlackMessage): Promise<MessageRef>;
}

export interface FileUpload {
  filename: string;
  content: Buffer | string;
  title?: string;
  initialComment?: string;
  threadTs?: string;
}

export interface PostOptions {
  threadTs?: string;
  broadcast?: boolean;
}

/** Web API calls used by work that outlives the request (watchers, approvals, schedules). */
export interface SlackPoster {
  /**
   * Posts a message; with `threadTs` (the ts of a message in the channel, never of a reply)
   * as a reply in its thread, and with `broadcast` that reply shows in the channel too.
   */
  post(channel: string, message: SlackMessage, options?: PostOptions): Promise<MessageRef>;
  update(ref: MessageRef, message: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
  uploadFile(channel: string, file: FileUpload): Promise<void>;
  /**
   * The replies in the thread of `parent` (conversations.replies, metadata included), oldest
   * first; absent on a poster that cannot read threads. Throws what Slack refused
   * (`thread_not_found`, `missing_scope` on an install without the history scopes).
   */
  threadReplies?(parent: MessageRef): Promise<ThreadMessage[]>;
}
