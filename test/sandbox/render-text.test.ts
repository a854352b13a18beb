import { describe, expect, it } from 'vitest';
import { postedToText } from '../../src/sandbox/render-text.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('the sandbox prints a thread as Slack shows it', () => {
  it('puts a reply under its message, indented, and says when it was also sent to the channel', () => {
    const line = { ts: '1.1', text: 'x', blocks: [section(':x: *Deploying web staging*: failed, 2 s')] };
    expect(postedToText(line, '#dev', 'dockside: ').text).toBe(
      '[#dev] dockside: ❌ *Deploying web staging*: failed, 2 s',
    );
    const reply = {
      ts: '1.2',
      thread_ts: '1.1',
      text: 'x',
      blocks: [section('<@U0ALICE> Failed after 2 s.\nDetails')],
    };
    expect(postedToText(reply, '#dev', 'dockside: ')).toEqual({
      text: '      ↳ dockside: @alice Failed after 2 s.\n          Details',
      indent: '          ',
    });
    const loud = { ...reply, reply_broadcast: true };
    expect(postedToText(loud, '#dev', 'dockside: ').text).toMatch(
      /^ {6}↳ \(also sent to the channel\) dockside: @alice/,
    );
  });
});
