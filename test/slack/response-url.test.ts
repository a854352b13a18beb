import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { SlackMessage, SlackPoster } from '../../src/slack/reply.js';
import { createResponseUrlPoster } from '../../src/slack/response-url.js';
import { waitFor } from '../helpers/world.js';

async function server(handler: http.RequestListener) {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  afterAll(() => {
    s.closeAllConnections();
    s.close();
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function recordingSlack() {
  const ephemerals: Array<{ channel: string; user: string; message: SlackMessage }> = [];
  const posts: Array<{ channel: string; message: SlackMessage }> = [];
  const slack: SlackPoster = {
    post: async (channel, message) => {
      posts.push({ channel, message });
      return { channel, ts: '1.1' };
    },
    update: async () => undefined,
    postEphemeral: async (channel, user, message) => {
      ephemerals.push({ channel, user, message });
    },
    uploadFile: async () => undefined,
  };
  return { slack, ephemerals, posts };
}

const target = { channel: 'C0DEV', user: 'U0ALICE' };

// Issue 13, degraded: a hanging response_url held the command's concurrency slot for 10 s
// twice, and nothing respected Slack's limit of 5 posts per response_url.
describe('answers through a response_url', () => {
  it('do not wait for a response_url that hangs, and arrive by chat.postEphemeral after a short timeout', async () => {
    const hanging = await server(() => undefined);
    const { slack, ephemerals } = recordingSlack();
    const respond = createResponseUrlPoster({ slack, timeoutMs: 200 });
    const started = performance.now();
    await respond(`${hanging}/r/1`, { response_type: 'ephemeral', text: 'Deploy started' }, target);
    expect(performance.now() - started).toBeLessThan(50);
    const got = await waitFor('the fallback', () => ephemerals[0], 2000);
    expect(got).toEqual({ ...target, message: { text: 'Deploy started' } });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('post at most 5 times to one response_url; later answers go through chat.postEphemeral, in order', async () => {
    const received: string[] = [];
    const ok = await server((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body).text);
        res.writeHead(200).end('ok');
      });
    });
    const { slack, ephemerals, posts } = recordingSlack();
    const respond = createResponseUrlPoster({ slack });
    for (let i = 1; i <= 6; i++) await respond(`${ok}/r/2`, { text: `answer ${i}` }, target);
    await respond(`${ok}/r/2`, { response_type: 'in_channel', text: 'answer 7' }, target);
    await respond.drain();
    expect(received).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
    expect(ephemerals.map((e) => e.message.text)).toEqual(['answer 6']);
    expect(posts).toEqual([{ channel: 'C0DEV', message: { text: 'answer 7' } }]);
  });

  it('fall back when the response_url answers an error (expired, 404)', async () => {
    const gone = await server((_req, res) => res.writeHead(404).end('expired_url'));
    const { slack, ephemerals } = recordingSlack();
    const respond = createResponseUrlPoster({ slack });
    await respond(`${gone}/r/3`, { text: 'Done' }, target);
    await respond.drain();
    expect(ephemerals.map((e) => e.message.text)).toEqual(['Done']);
  });

  it('after 30 minutes, answer through chat.postEphemeral: Slack no longer takes the response_url', async () => {
    const received: string[] = [];
    const ok = await server((_req, res) => {
      received.push('posted');
      res.writeHead(200).end('ok');
    });
    let t = Date.parse('2026-11-30T09:00:00Z');
    const { slack, ephemerals } = recordingSlack();
    const respond = createResponseUrlPoster({ slack, now: () => t });
    await respond(`${ok}/r/4`, { text: 'Dump started' }, target);
    t += 31 * 60_000;
    await respond(`${ok}/r/4`, { text: 'Dump finished' }, target);
    await respond.drain();
    expect(received).toEqual(['posted']);
    expect(ephemerals.map((e) => e.message.text)).toEqual(['Dump finished']);
  });
});
