import { ErrorCode, WebClient } from '@slack/web-api';
import type { Config } from '../schema.js';
import type { Finding } from './types.js';

/** What Slack's error codes mean for someone setting dockside up. */
const SLACK_ERRORS: Record<string, { detail: string; hint: string }> = {
  invalid_auth: {
    detail: 'Slack does not accept the token (invalid_auth)',
    hint: "Copy the Bot User OAuth Token (xoxb-...) again from the app's OAuth & Permissions page",
  },
  not_authed: { detail: 'no token was sent (not_authed)', hint: 'Set SLACK_BOT_TOKEN' },
  token_revoked: {
    detail: 'the token was revoked (token_revoked)',
    hint: 'Reinstall the app to the workspace and use the new token',
  },
  account_inactive: {
    detail: 'the app was uninstalled or its account deactivated (account_inactive)',
    hint: 'Reinstall the app to the workspace',
  },
  channel_not_found: {
    detail: 'the bot cannot see this channel (channel_not_found)',
    hint: "Check channels.ops (the channel id, C..., from the channel's details); a private channel must invite the bot first: /invite @dockside",
  },
  no_such_subteam: {
    detail: 'there is no user group with this id (no_such_subteam)',
    hint: "Copy the id (S...) from the user group's page, or list people under users:",
  },
  plan_upgrade_required: {
    detail: 'user groups need a paid Slack plan (plan_upgrade_required)',
    hint: 'List the people under users: instead of usergroups:',
  },
};

function explain(err: unknown): { detail: string; hint?: string } {
  const e = err as { code?: string; data?: { error?: string; needed?: string; provided?: string } };
  const code = e.data?.error;
  if (code === 'missing_scope') {
    return {
      detail: `the app lacks the ${e.data?.needed ?? 'needed'} scope (missing_scope; it has ${e.data?.provided ?? 'others'})`,
      hint: 'Add it under OAuth & Permissions (manifest.yml lists every scope dockside needs) and reinstall the app',
    };
  }
  if (code && SLACK_ERRORS[code]) return SLACK_ERRORS[code];
  if (code) return { detail: `Slack answered ${code}` };
  if (e.code === ErrorCode.RequestError)
    return { detail: 'Slack could not be reached', hint: 'Check outbound network access' };
  return { detail: err instanceof Error ? err.message : String(err) };
}

/** conversations.replies in public and private channels: reading a deployment's thread back. */
const HISTORY_SCOPES = ['channels:history', 'groups:history'];

/**
 * The bot token (auth.test) and its scopes, the ops channel (conversations.info: it exists and the
 * bot is a member, or every post fails with not_in_channel), the user groups of the
 * roles, and in Socket Mode the app-level token.
 */
export async function checkSlack(
  config: Config,
  env: { SLACK_BOT_TOKEN: string; SLACK_APP_TOKEN?: string | undefined; SLACK_API_URL?: string | undefined },
  mode: 'http' | 'socket',
): Promise<Finding[]> {
  const options = {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    retryConfig: { retries: 0 },
  };
  const client = new WebClient(env.SLACK_BOT_TOKEN, options);
  const findings: Finding[] = [];
  let auth: Awaited<ReturnType<typeof client.auth.test>>;
  try {
    auth = await client.auth.test();
    findings.push({
      what: 'Slack auth.test',
      level: 'ok',
      detail: `the bot token works: bot user ${auth.user ?? '?'} (${auth.user_id ?? '?'}) in workspace ${auth.team ?? '?'}`,
    });
  } catch (err) {
    findings.push({ what: 'Slack auth.test', level: 'fail', ...explain(err) });
    return findings; // nothing else can work without the bot token
  }
  // Slack names the token's scopes in every answer (x-oauth-scopes); an app installed
  // before dockside read threads back lacks the history scopes until it is reinstalled.
  const granted = auth.response_metadata?.scopes;
  const lacking = granted ? HISTORY_SCOPES.filter((s) => !granted.includes(s)) : [];
  if (lacking.length > 0) {
    findings.push({
      what: 'Slack scopes',
      level: 'warn',
      detail:
        `the app lacks ${lacking.join(' and ')}: when a replica dies mid-reply, the one that takes over cannot ` +
        'read the thread to see whether the reply landed, so it may tell an outcome twice or drop a progress reply',
      hint: 'Add them under OAuth & Permissions (manifest.yml lists every scope dockside needs) and reinstall the app',
    });
  }
  const ops = config.channels.ops;
  try {
    const info = await client.conversations.info({ channel: ops });
    const channel = info.channel;
    if (channel?.is_archived) {
      findings.push({
        what: `ops channel ${ops}`,
        level: 'fail',
        detail: `#${channel.name} is archived`,
        hint: 'Unarchive it or choose another channel',
      });
    } else if (!channel?.is_member) {
      findings.push({
        what: `ops channel ${ops}`,
        level: 'fail',
        detail: `the bot is not a member of #${channel?.name ?? ops}, so approvals and summaries would fail with not_in_channel`,
        hint: `Invite it: /invite @dockside in #${channel?.name ?? ops}`,
      });
    } else {
      findings.push({
        what: `ops channel ${ops}`,
        level: 'ok',
        detail: `#${channel.name}; the bot is a member`,
      });
    }
  } catch (err) {
    findings.push({ what: `ops channel ${ops}`, level: 'fail', ...explain(err) });
  }
  const groups = [...new Set(Object.values(config.access.roles).flatMap((r) => r.usergroups))];
  for (const usergroup of groups) {
    try {
      const res = await client.usergroups.users.list({ usergroup });
      findings.push({
        what: `user group ${usergroup}`,
        level: 'ok',
        detail: `${res.users?.length ?? 0} members`,
      });
    } catch (err) {
      findings.push({ what: `user group ${usergroup}`, level: 'fail', ...explain(err) });
    }
  }
  if (mode === 'socket') {
    try {
      await new WebClient(env.SLACK_APP_TOKEN, options).apps.connections.open();
      findings.push({
        what: 'Slack Socket Mode',
        level: 'ok',
        detail: 'the app-level token opens a connection',
      });
    } catch (err) {
      findings.push({
        what: 'Slack Socket Mode',
        level: 'fail',
        ...explain(err),
        hint: 'Use an App-Level Token with connections:write, and enable Socket Mode in the app settings',
      });
    }
  }
  return findings;
}
