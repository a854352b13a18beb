import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/slack/reply.js';
import { waitFor } from '../helpers/world.js';
import { at, setup, textOf } from './helpers.js';

describe('a deployment thread across takeovers, crashes and a Redis that forgets', () => {
  it('a replica that takes over mid-way repeats no reply, and still tells what is new', async () => {
    const t = setup('takeover');
    const a = t.follower('replica-a');
    t.move(at('BUILDING', 1));
    await a.start(t.record);
    await waitFor('the first reply (in BUILDING)', () =>
      t.replies('1.000001').includes('Deploying web staging: started'),
    );
    // Replica A goes away mid-build (its lease lapses); B finds the record and follows on.
    await a.stop();
    await a.idle();
    const b = t.follower('replica-b');
    const edits = t.updates.length;
    expect(await b.resume()).toBe(1);
    await waitFor('B to edit the line', () => t.updates.length > edits);
    t.move(at('DEPLOYING', 3));
    await waitFor('the DEPLOYING reply', () =>
      t.replies('1.000001').includes('Deploying web staging: DEPLOYING'),
    );
    t.move(
      at('ERROR', 3, [{ name: 'deploy', status: 'ERROR', reason: { message: 'container exited with 1' } }]),
    );
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await b.idle();

    expect(t.replies('1.000001')).toEqual([
      'Deploying web staging: started',
      'Deploying web staging: DEPLOYING',
      'Deploying web staging: failed, the details',
    ]);
    const line = textOf(t.updates.at(-1)?.message as SlackMessage);
    expect(line).toMatch(/^:x: \*Deploying web staging\*: failed: deploy: container exited with 1, /);
    // A failure pings the one who asked, in the thread (an edited line notifies nobody).
    expect(textOf(t.posts.at(-1)?.message as SlackMessage)).toMatch(/^<@U0ALICE> Failed after /);
  });

  it('a Redis that comes back empty makes the replica that follows tell nothing twice', async () => {
    const t = setup('empty');
    const a = t.follower('replica-a');
    t.move(at('BUILDING', 1));
    await a.start(t.record);
    await waitFor('the first reply (in BUILDING)', () =>
      t.replies('1.000001').includes('Deploying web staging: started'),
    );
    // What was told is gone from Redis (restarted empty); the record is saved again by whoever holds it.
    await t.redis.del(`watch:${t.record.deploymentId}:replies`);
    t.move(at('BUILDING', 2));
    await waitFor('the line to move', () => t.updates.some((u) => textOf(u.message).includes('2/4 steps')));
    t.move(at('DEPLOYING', 3));
    await waitFor('the DEPLOYING reply', () =>
      t.replies('1.000001').includes('Deploying web staging: DEPLOYING'),
    );
    t.move(at('ACTIVE', 4));
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await a.idle();
    expect(t.replies('1.000001')).toEqual([
      'Deploying web staging: started',
      'Deploying web staging: DEPLOYING',
      'Deploying web staging: done, the details',
    ]);
  });

  it('a first reply claimed by a replica that died before posting it is told with the outcome instead', async () => {
    const t = setup('lost-start');
    t.move(at('DEPLOYING', 3));
    await t.watchers.save(t.record);
    // Replica A claimed the first reply and died before Slack had it.
    await t.watchers.claimReply(t.record.deploymentId, 'start');
    const b = t.follower('replica-b');
    await b.resume();
    await waitFor('the DEPLOYING reply', () =>
      t.replies('1.000001').includes('Deploying web staging: DEPLOYING'),
    );
    t.move(at('ACTIVE', 4));
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await b.idle();
    expect(t.replies('1.000001')).toEqual([
      'Deploying web staging: DEPLOYING',
      'Deploying web staging: done, the details',
    ]);
    const outcome = textOf(t.posts.at(-1)?.message as SlackMessage);
    expect(outcome).toContain('Requested by <@U0ALICE>');
    expect(outcome).toContain('Builds `main` at 9a4df0b.');
    expect(outcome).toContain('Health: 200 OK in 12 ms');
  });

  it('an outcome decided before a takeover is delivered by the next replica, its reply exactly once', async () => {
    const t = setup('final');
    const final = {
      message: { text: 'Deploying web staging: done', blocks: [] },
      reply: { text: 'Deploying web staging: done, the details', blocks: [] },
      ok: true,
      summary: 'Live after 1 min.',
    };
    // Died after deciding, before telling: the next replica tells both.
    await t.watchers.save({ ...t.record, final });
    const b = t.follower('replica-b');
    await b.resume();
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await b.idle();
    expect(t.updates).toHaveLength(1);
    expect(t.replies('1.000001')).toEqual(['Deploying web staging: done, the details']);

    // Died after the reply was taken, before the record went: the line again, the reply not.
    await t.watchers.save({ ...t.record, final });
    await t.watchers.claimReply(t.record.deploymentId, 'final');
    const c = t.follower('replica-c');
    await c.resume();
    await waitFor('the record to go again', async () => (await t.watchers.list()).length === 0);
    await c.idle();
    expect(t.updates).toHaveLength(2);
    expect(t.replies('1.000001')).toEqual(['Deploying web staging: done, the details']);
  });

  it('a line posted anew at the end is the one a retry updates: never a third line', async () => {
    const t = setup('anew');
    const gone = Object.assign(new Error('An API error occurred: message_not_found'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'message_not_found' },
    });
    const refused = Object.assign(new Error('An API error occurred: is_archived'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'is_archived' },
    });
    const { post, update } = t.slack;
    let detailsRefused = 2;
    t.slack.update = async (ref, message) => {
      if (ref.ts === '1.000001') throw gone; // someone deleted the line
      return update(ref, message);
    };
    t.slack.post = async (channel, message, options) => {
      // The details are refused twice (in the thread, then in the channel): this try fails.
      if (message.text.endsWith('the details') && detailsRefused-- > 0) throw refused;
      return post(channel, message, options);
    };
    const final = {
      message: { text: 'Deploying web staging: done', blocks: [] },
      reply: { text: 'Deploying web staging: done, the details', blocks: [] },
      ok: true,
      summary: 'Live after 1 min.',
    };
    await t.watchers.save({ ...t.record, final });
    const a = t.follower('replica-a');
    await a.resume();
    await a.idle();
    const lines = () =>
      t.posts.filter((p) => !p.threadTs && p.message.text === 'Deploying web staging: done');
    expect(lines()).toHaveLength(1);
    expect(await t.watchers.list()).toHaveLength(1);
    // The next try (any replica, once A's lease ran out) updates the line posted anew and ends its thread.
    await new Promise((r) => setTimeout(r, 400));
    const b = t.follower('replica-b');
    await b.resume();
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await b.idle();
    expect(lines()).toHaveLength(1);
    expect(t.replies(lines()[0]?.ts ?? '')).toEqual(['Deploying web staging: done, the details']);
  });
});
