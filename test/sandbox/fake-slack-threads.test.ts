import { WebClient } from '@slack/web-api';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS } from '../../src/sandbox/config.js';
import { startFakeSlack } from '../../src/sandbox/fake-slack.js';
import { createWebPoster } from '../../src/slack/web-poster.js';

const marker = (reply: string) => ({
  event_type: 'dockside_deployment_reply',
  event_payload: { deployment_id: 'dep-1', reply },
});

// Reading a thread back (conversations.replies) is how a replica that takes over learns
// whether a reply of a dead one landed: the fake answers in Slack's shape, with its errors.
describe('the fake Slack reads threads back as conversations.replies does', async () => {
  const slack = await startFakeSlack();
  afterAll(() => slack.close());
  const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const poster = createWebPoster(client);
  const channel = SANDBOX_CHANNELS.dev;

  it('returns the parent first, then the replies with their metadata when asked for it, page by page', async () => {
    const parent = await poster.post(channel, { text: 'Deploying web staging: BUILDING' });
    await poster.post(channel, { text: 'started', metadata: marker('start') }, { threadTs: parent.ts });
    await poster.post(
      channel,
      { text: 'BUILDING', metadata: marker('phase:BUILDING') },
      { threadTs: parent.ts },
    );
    await poster.post(channel, { text: 'a person' }, { threadTs: parent.ts });

    const plain = await client.conversations.replies({ channel, ts: parent.ts });
    expect(plain.messages?.map((m) => m.text)).toEqual([
      'Deploying web staging: BUILDING',
      'started',
      'BUILDING',
      'a person',
    ]);
    expect(plain.messages?.[0]).toMatchObject({ ts: parent.ts, thread_ts: parent.ts, reply_count: 3 });
    expect(plain.messages?.[1]).toMatchObject({ thread_ts: parent.ts, type: 'message' });
    // Metadata only with include_all_metadata, as Slack does.
    expect(plain.messages?.some((m) => 'metadata' in m)).toBe(false);

    const first = await client.conversations.replies({
      channel,
      ts: parent.ts,
      include_all_metadata: true,
      limit: 2,
    });
    expect(first.messages?.map((m) => m.text)).toEqual([
      'Deploying web staging: BUILDING',
      'started',
      'BUILDING',
    ]);
    expect(first.messages?.[1]?.metadata).toEqual(marker('start'));
    expect(first.has_more).toBe(true);
    const next = await client.conversations.replies({
      channel,
      ts: parent.ts,
      include_all_metadata: true,
      limit: 2,
      cursor: first.response_metadata?.next_cursor ?? '',
    });
    expect(next.messages?.map((m) => m.text)).toEqual(['Deploying web staging: BUILDING', 'a person']);
    expect(next.has_more).toBe(false);

    // The poster dockside uses: the replies only, each with its marker.
    expect(await poster.threadReplies?.(parent)).toEqual([
      expect.objectContaining({ text: 'started', metadata: marker('start') }),
      expect.objectContaining({ text: 'BUILDING', metadata: marker('phase:BUILDING') }),
      expect.objectContaining({ text: 'a person' }),
    ]);
  });

  it('answers thread_not_found for a deleted or unknown message, missing_scope without channels:history', async () => {
    const parent = await poster.post(channel, { text: 'line' });
    await expect(poster.threadReplies?.({ channel, ts: '1.000000' })).rejects.toMatchObject({
      data: { ok: false, error: 'thread_not_found' },
    });
    slack.deleteMessage(channel, parent.ts);
    await expect(poster.threadReplies?.(parent)).rejects.toMatchObject({
      data: { ok: false, error: 'thread_not_found' },
    });
    slack.scopes.delete('channels:history');
    try {
      await expect(client.conversations.replies({ channel, ts: parent.ts })).rejects.toMatchObject({
        data: { ok: false, error: 'missing_scope', needed: 'channels:history' },
      });
    } finally {
      slack.scopes.add('channels:history');
    }
  });

  it('refuses metadata without an event type, posting nothing', async () => {
    const before = slack.messages.length;
    const bad = { event_type: '', event_payload: { reply: 'start' } };
    await expect(client.chat.postMessage({ channel, text: 'x', metadata: bad })).rejects.toMatchObject({
      data: { ok: false, error: 'invalid_metadata_format' },
    });
    expect(slack.messages).toHaveLength(before);
  });
});
