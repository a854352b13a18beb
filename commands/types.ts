import type { Action, Config } from '../src/config/schema.js';
import type { Logger } from '../src/logger.js';
import type { Reply, SlackPoster } from '../src/slack/reply.js';

export const COMMAND_NAMES = [
  'deploy',
  'promote',
  'rollback',
  'query',
  'backup',
  'health',
  'audit',
  'lock',
  'unlock',
  'logs',
  'restart',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Who ran what, where: the transport-free facts of a slash command. */
export interface Invocation {
  user: string;
  channel: string;
  /** As typed after the command name. */
  text: string;
  /** `/deploy` or `/ops deploy`, for messages and the audit log. */
  commandText: string;
  requestId: string;
  /** Set when a button in a deployment's message ran it: its output belongs in that thread. */
  threadTs?: string;
}

export interface CommandContext {
  invocation: Invocation;
  config: Config;
  reply: Reply;
  slack: SlackPoster;
  log: Logger;
  /** Id of the audit entry the router wrote before calling run(). */
  auditId: string;
}

/** What an access check is asked: may this user do `action` on this target from this channel? */
export interface AccessRequest {
  action: Action;
  /** How a refusal names what was asked when it is not the action itself ("unlock" needs `lock`). */
  verb?: string;
  app?: string;
  env?: string;
  database?: string;
}

export interface CommandOutcome {
  /** Safe extra fields for the audit entry (e.g. SQL text, row count); never result values. */
  data?: Record<string, string | number | boolean>;
  result: 'succeeded' | 'failed' | 'requested' | 'refused';
  detail?: string;
  doIds?: Record<string, string>;
}

/** Audit target of a parsed command. */
export interface Target {
  app?: string;
  env?: string;
  database?: string;
}

/**
 * One slash command. The router parses, checks access, writes the audit entry, acks,
 * then calls run(); run() answers through ctx.reply and returns the outcome to audit.
 * Errors thrown are DocksideErrors and are turned into the user's message in one place.
 */
export interface CommandDef<A> {
  name: CommandName;
  /** Usage lines, first one the main form: `/deploy <app> <env> [--force-build]`. */
  usage: string[];
  summary: string;
  /** Throws usageError() with a clear problem; must not do I/O. */
  parse(text: string, config: Config): A;
  /** The grant needed, or null when anyone may run it. */
  access(args: A): AccessRequest | null;
  target(args: A): Target;
  /** Read-only commands are not audited (health, audit listing, help). */
  audited: boolean;
  /** The command queues its own work fairly per person (/query), instead of the shared per-command bound. */
  schedulesItself?: boolean;
  run(ctx: CommandContext, args: A): Promise<CommandOutcome | undefined>;
}
