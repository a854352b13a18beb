import { readFileSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { startFakeSlack } from '../../src/sandbox/fake-slack.js';
import { MANIFEST_BOT_SCOPES } from '../../src/sandbox/fake-slack-rules.js';
import { ESCAPED_COMMANDS, slackCommandText } from '../../src/sandbox/slack-driver.js';
import { createWebPoster } from '../../src/slack/web-poster.js';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as {
  features: { slash_commands: Array<{ command: string; should_escape: boolean }> };
  oauth_config: { scopes: { bot: string[] } };
};

describe('the fake Slack refuses what Slack refuses', async () => {
  let t = Date.parse('2026-11-05T10:00:00Z');
  const slack = await startFakeSlack({ now: () => t });
  afterAll(() => slack.close());
  const client = (token = slack.botToken) =>
    new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const post = (token: string, body: Record<string, unknown>, method = 'chat.postMessage') =>
    fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);

  it('grants the bot exactly the scopes of manifest.yml, and knows which commands Slack escapes', () => {
    expect([...MANIFEST_BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
    const escaped = manifest.features.slash_commands.filter((c) => c.should_escape).map((c) => c.command);
    expect([...ESCAPED_COMMANDS].sort()).toEqual(escaped.sort());
  });

  it('checks the token: none, a wrong one, and the app token where a bot token belongs', async () => {
    const message = { channel: SANDBOX_CHANNELS.ops, text: 'hi' };
    expect(await post('', message)).toEqual({ ok: false, error: 'not_authed' });
    expect(await post('xoxb-someone-else', message)).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await post(slack.appToken, message)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await post(slack.botToken, { channel: SANDBOX_CHANNELS.ops }, 'apps.connections.open')).toEqual({
      ok: false,
      error: 'not_allowed_token_type',
    });
    expect(slack.messages).toEqual([]);
    expect((await post(slack.botToken, message)).ok).toBe(true);
  });

  it('answers missing_scope, naming the scope, when the bot lacks it', async () => {
    slack.scopes.delete('usergroups:read');
    try {
      await expect(client().usergroups.users.list({ usergroup: 'S0LEADS' })).rejects.toMatchObject({
        data: { ok: false, error: 'missing_scope', needed: 'usergroups:read' },
      });
    } finally {
      slack.scopes.add('usergroups:read');
    }
  });

  it('answers invalid_blocks with the problems, and not_in_channel, storing nothing', async () => {
    const before = slack.messages.length;
    const tooLong = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } };
    const twice = {
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'One' } },
        { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } },
      ],
    };
    const answer = await post(slack.botToken, {
      channel: SANDBOX_CHANNELS.ops,
      text: 't',
      blocks: [tooLong, twice],
    });
    expect(answer).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(answer.errors).toEqual([
      '/blocks/0.text.text must be at most 3000 characters',
      '/blocks/1.elements/1.text.text must be at most 75 characters',
      '/blocks/1 has an action_id twice',
    ]);
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await post(slack.botToken, { channel: SANDBOX_CHANNELS.ops, text: 't', blocks })).toMatchObject({
      error: 'invalid_blocks',
    });
    slack.notInChannel.add('C0SECRET');
    await expect(client().chat.postMessage({ channel: 'C0SECRET', text: 'hello' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    expect(slack.messages).toHaveLength(before);
  });

  it('answers HTTP 429 ratelimited with Retry-After when told to, then serves again', async () => {
    slack.rateLimit('chat.postMessage', 1, 2);
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: SANDBOX_CHANNELS.ops, text: 'x' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect((await post(slack.botToken, { channel: SANDBOX_CHANNELS.ops, text: 'x' })).ok).toBe(true);
  });

  it('threads a reply under a message of the same channel, through the poster dockside uses', async () => {
    const poster = createWebPoster(client());
    const { ops, dev } = SANDBOX_CHANNELS;
    const root = await poster.post(ops, { text: 'Deploying web staging: BUILDING' });
    const reply = await poster.post(ops, { text: 'BUILDING' }, { threadTs: root.ts });
    const shout = await poster.post(ops, { text: 'needs you' }, { threadTs: root.ts, broadcast: true });
    const parent = slack.messages.find((m) => m.ts === root.ts);
    expect(slack.replies(root).map((m) => [m.text, m.reply_broadcast ?? false])).toEqual([
      ['BUILDING', false],
      ['needs you', true],
    ]);
    expect(parent?.reply_count).toBe(2);
    const before = slack.messages.length;
    // Not a message of that channel, a reply's own ts, or no message at all: refused, nothing posted.
    for (const [channel, threadTs] of [
      [dev, root.ts],
      [ops, reply.ts],
      [ops, '1700000000.000001'],
    ] as const) {
      await expect(poster.post(channel, { text: 'lost' }, { threadTs })).rejects.toMatchObject({
        data: { ok: false, error: 'invalid_thread_ts' },
      });
    }
    // reply_broadcast means nothing without thread_ts: a plain channel message.
    expect(await post(slack.botToken, { channel: ops, text: 'plain', reply_broadcast: true })).toMatchObject({
      ok: true,
    });
    expect(slack.messages.at(-1)).not.toHaveProperty('reply_broadcast');
    // A deleted message takes neither edits nor replies.
    slack.deleteMessage(ops, root.ts);
    await expect(poster.update(root, { text: 'edited' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(poster.post(ops, { text: 'late' }, { threadTs: root.ts })).rejects.toMatchObject({
      data: { error: 'invalid_thread_ts' },
    });
    expect(slack.messages).toHaveLength(before + 1);
    expect(shout.ts).not.toBe(reply.ts);
    // A channel whose admin turned threads off takes messages, not replies.
    slack.noThreads.add(dev);
    try {
      const line = await poster.post(dev, { text: 'a line' });
      await expect(poster.post(dev, { text: 'a reply' }, { threadTs: line.ts })).rejects.toMatchObject({
        data: { error: 'restricted_action_non_threadable_channel' },
      });
      expect(slack.replies(line)).toEqual([]);
    } finally {
      slack.noThreads.delete(dev);
    }
  });

  it('lets a trigger open one view, within 3 seconds; every view gets a fresh id', async () => {
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Why?' }, blocks: [] };
    const first = slack.issueTrigger();
    const second = slack.issueTrigger();
    expect(first).not.toBe(second);
    const a = (await client().views.open({ trigger_id: first, view: view as never })) as {
      view: { id: string };
    };
    await expect(client().views.open({ trigger_id: first, view: view as never })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    const b = (await client().views.open({ trigger_id: second, view: view as never })) as {
      view: { id: string };
    };
    expect(a.view.id).not.toBe(b.view.id);
    const late = slack.issueTrigger();
    t += 3001;
    await expect(client().views.open({ trigger_id: late, view: view as never })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    await expect(client().views.open({ trigger_id: 'made.up', view: view as never })).rejects.toMatchObject({
      data: { error: 'invalid_trigger_id' },
    });
    expect(slack.views.map((v) => v.id)).toEqual([a.view.id, b.view.id]);
  });

  it('takes 5 posts on a response_url within 30 minutes, and none on one it never handed out', async () => {
    const post = (url: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' });
    const url = slack.responseUrl();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(url)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    const late = slack.responseUrl();
    t += 30 * 60_000 + 1;
    const expired = await post(late);
    expect([expired.status, await expired.text()]).toEqual([404, 'expired_url']);
    const madeUp = await post(`${slack.url}/response/R0MADEUP`);
    expect([madeUp.status, await madeUp.text()]).toEqual([404, 'invalid_url']);
  });

  it("runs files.uploadV2 through its three steps and keeps the file's bytes", async () => {
    const csv = 'id,name\n1,Ada\n2,"Linus, T."\n';
    await client().filesUploadV2({
      channel_id: SANDBOX_CHANNELS.dev,
      file: Buffer.from(csv),
      filename: 'result.csv',
      title: 'result',
      initial_comment: 'rows',
    });
    const methods = slack.calls.map((c) => c.method).filter((m) => m.startsWith('files.'));
    expect(methods.slice(-2)).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    const file = slack.files.at(-1);
    expect(file).toMatchObject({ filename: 'result.csv', channel: SANDBOX_CHANNELS.dev, title: 'result' });
    expect(file?.content.toString('utf8')).toBe(csv);
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const url = (await post(
      slack.botToken,
      { filename: 'a.csv', length: 10 },
      'files.getUploadURLExternal',
    )) as {
      file_id: string;
    };
    expect(
      await post(
        slack.botToken,
        { files: [{ id: url.file_id }], channel_id: SANDBOX_CHANNELS.dev },
        'files.completeUploadExternal',
      ),
    ).toEqual({ ok: false, error: 'file_not_found' });
    expect(await post(slack.botToken, { filename: 'a.csv' }, 'files.getUploadURLExternal')).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
  });
});

describe('command text as Slack delivers it', () => {
  it('escapes &, < and > always, and turns picked mentions into ids only where should_escape is on', () => {
    const typed = 'web @carol #ops @channel @nobody <b> & co';
    expect(slackCommandText(typed, true)).toBe(
      `web <@${SANDBOX_USERS.carol}|carol> <#${SANDBOX_CHANNELS.ops}|ops> <!channel> @nobody &lt;b&gt; &amp; co`,
    );
    expect(slackCommandText(typed, false)).toBe('web @carol #ops @channel @nobody &lt;b&gt; &amp; co');
  });
});
