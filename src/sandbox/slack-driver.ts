import { signRequest } from '../slack/signature.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from './config.js';
import type { FakeMessage, FakeSlack, FakeView } from './fake-slack.js';

/** Commands of manifest.yml with `should_escape: true` (a test keeps this equal to the manifest). */
export const ESCAPED_COMMANDS: ReadonlySet<string> = new Set(['/audit', '/ops']);

/**
 * Command text as Slack delivers it. Slack always sends `&`, `<` and `>` as entities;
 * for a command with `should_escape: true` it also turns the mentions a person picked
 * (`@carol`, `#ops`, `@channel`, `@here`) into `<@U0CAROL|carol>`, `<#C0OPS|ops>`,
 * `<!channel>`, `<!here>`. Unknown names stay as typed, as Slack leaves them.
 */
export function slackCommandText(
  text: string,
  escaped: boolean,
  names: { users: Record<string, string>; channels: Record<string, string> } = {
    users: SANDBOX_USERS,
    channels: SANDBOX_CHANNELS,
  },
): string {
  const entities = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  if (!escaped) return entities;
  return entities.replace(
    /(^|\s)([@#])([a-z0-9._-]+)/gi,
    (whole, space: string, sigil: string, name: string) => {
      const lower = name.toLowerCase();
      if (sigil === '@' && (lower === 'channel' || lower === 'here' || lower === 'everyone')) {
        return `${space}<!${lower}>`;
      }
      const table = sigil === '@' ? names.users : names.channels;
      // Own names only: `@constructor` is no person.
      const id = Object.hasOwn(table, lower) ? table[lower] : undefined;
      if (!id) return whole;
      return sigil === '@' ? `${space}<@${id}|${lower}>` : `${space}<#${id}|${lower}>`;
    },
  );
}

/**
 * How command text is given: as a person types it (default; escaped here as Slack does),
 * or `asDelivered`, exactly as Slack puts it in the request (a link made with the
 * composer's link button arrives as `<https://...|label>`, which no typing produces).
 */
export interface Delivery {
  asDelivered?: boolean;
}

export interface ButtonRef {
  actionId: string;
  value: string;
  text: string;
  blockId?: string;
}

/** Buttons in a posted message, in the order a person sees them. */
export function buttonsOf(message: { blocks: unknown[] }): ButtonRef[] {
  const out: ButtonRef[] = [];
  for (const block of message.blocks as Array<{
    type?: string;
    block_id?: string;
    elements?: unknown[];
    accessory?: unknown;
  }>) {
    const elements =
      block.type === 'actions' ? (block.elements ?? []) : block.accessory ? [block.accessory] : [];
    for (const el of elements as Array<{
      type?: string;
      action_id?: string;
      value?: string;
      text?: { text?: string };
    }>) {
      if (el.type === 'button' && el.action_id) {
        out.push({
          actionId: el.action_id,
          value: el.value ?? '',
          text: el.text?.text ?? el.action_id,
          ...(block.block_id ? { blockId: block.block_id } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Talks to a dockside bot the way Slack does: form-encoded, signed slash commands
 * and interactivity payloads sent to POST /slack/events, with response_url pointing
 * at the fake Slack. Used by the sandbox, the end-to-end tests and the bench.
 */
export function createSlackDriver(options: {
  botUrl: string;
  signingSecret: string;
  slack: FakeSlack;
  team?: string;
}) {
  const team = options.team ?? 'TSANDBOX';

  async function send(body: string, extraHeaders: Record<string, string> = {}, timestamp?: number) {
    const ts = timestamp ?? Math.floor(Date.now() / 1000);
    const response = await fetch(`${options.botUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signRequest(options.signingSecret, ts, body),
        ...extraHeaders,
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  return {
    send,
    /** A command's form body; `text` is what the person typed (escaped here as Slack does). */
    commandBody(
      user: string,
      channel: string,
      command: string,
      text: string,
      responseUrl = options.slack.responseUrl(),
      how: Delivery = {},
    ): string {
      return new URLSearchParams({
        token: 'deprecated-verification-token',
        team_id: team,
        team_domain: 'sandbox',
        channel_id: channel,
        channel_name: channel.toLowerCase(),
        user_id: user,
        user_name: user.toLowerCase(),
        command,
        text: how.asDelivered ? text : slackCommandText(text, ESCAPED_COMMANDS.has(command)),
        api_app_id: 'ADOCKSIDE',
        response_url: responseUrl,
        trigger_id: options.slack.issueTrigger(),
      }).toString();
    },
    /** Sends a slash command; `responseUrl` identifies the answers to this very request. */
    async command(user: string, channel: string, command: string, text: string, how: Delivery = {}) {
      const responseUrl = options.slack.responseUrl();
      const res = await send(this.commandBody(user, channel, command, text, responseUrl, how));
      return { ...res, responseUrl };
    },
    click(user: string, message: FakeMessage, button: ButtonRef) {
      const payload = {
        type: 'block_actions',
        team: { id: team, domain: 'sandbox' },
        user: { id: user, username: user.toLowerCase(), team_id: team },
        api_app_id: 'ADOCKSIDE',
        trigger_id: options.slack.issueTrigger(),
        container: {
          type: 'message',
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: false,
          // A button in a thread reply: Slack names the thread too.
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
        channel: { id: message.channel, name: message.channel.toLowerCase() },
        message: {
          ts: message.ts,
          text: message.text,
          blocks: message.blocks,
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
        response_url: options.slack.responseUrl(),
        actions: [
          {
            type: 'button',
            action_id: button.actionId,
            block_id: button.blockId ?? 'b',
            value: button.value,
            text: { type: 'plain_text', text: button.text },
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      };
      return send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    },
    /** Submits a modal the bot opened (its `id` is the one views.open answered). */
    submitView(user: string, view: FakeView, values: Record<string, Record<string, unknown>>) {
      const payload = {
        type: 'view_submission',
        team: { id: team, domain: 'sandbox' },
        user: { id: user, username: user.toLowerCase(), team_id: team },
        api_app_id: 'ADOCKSIDE',
        trigger_id: options.slack.issueTrigger(),
        view: { ...view, state: { values } },
      };
      return send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    },
  };
}

export type SlackDriver = ReturnType<typeof createSlackDriver>;
