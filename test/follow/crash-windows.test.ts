import { describe, expect, it } from 'vitest';
import type { DeploymentFollower } from '../../handlers/deploy/follow-deployment.js';
import { waitFor } from '../helpers/world.js';
import { at, setup } from './helpers.js';

/** How long a claimed reply may be in flight here (15 s in production). */
const REPLY_LEASE_MS = 1500;
const TITLE = 'Deploying web staging';

/** B resumes until it holds the deployment (A, dead, no longer renews its lease). */
async function takeOver(t: ReturnType<typeof setup>, b: DeploymentFollower): Promise<void> {
  await waitFor(
    'B to hold the deployment',
    async () => {
      await b.resume();
      return (await t.redis.get(`watch:${t.record.deploymentId}:lease`)) === 'replica-b';
    },
    5000,
  );
}

/** A posts the BUILDING reply and dies before Redis hears of it; B takes the deployment over. */
async function buildingPostedThenTakenOver(t: ReturnType<typeof setup>): Promise<DeploymentFollower> {
  t.crashes.push({ at: 'after', when: (m) => m.text === `${TITLE}: BUILDING` });
  const a = t.follower('replica-a');
  t.move(at('PENDING_BUILD', 0));
  await a.start(t.record);
  await waitFor('the first reply', () => t.replies('1.000001').includes(`${TITLE}: started`));
  t.move(at('BUILDING', 1));
  await waitFor('A to die after posting BUILDING', () => t.crashed.at);
  const b = t.follower('replica-b');
  await takeOver(t, b);
  return b;
}

// The replica that posts a thread reply dies at the worst moment; the one that takes over
// must neither lose the reply nor tell it twice (issue 12, the follower's crash windows).
describe('a replica that dies in the middle of a thread reply', () => {
  const phaseClaimedThenStuck = (how: 'dead' | 'alive, stuck') =>
    it(`claimed a phase reply and stopped before Slack had it (${how}): the next replica posts it once`, async () => {
      const t = setup(`crash-phase-claimed-${how.length}`, { replyLeaseMs: REPLY_LEASE_MS });
      t.crashes.push({ at: 'before', when: (m) => m.text === `${TITLE}: BUILDING` });
      // Its liveness mark (the recovery heartbeat) says whether A may still be posting.
      if (how !== 'dead') await t.redis.set('replica:replica-a', '1', 'PX', 60_000);
      const a = t.follower('replica-a');
      t.move(at('PENDING_BUILD', 0));
      await a.start(t.record);
      await waitFor('the first reply', () => t.replies('1.000001').includes(`${TITLE}: started`));
      t.move(at('BUILDING', 1));
      await waitFor('A to stop posting BUILDING', () => t.crashed.at);
      const b = t.follower('replica-b');
      await takeOver(t, b);
      await waitFor('the BUILDING reply', () => t.replies('1.000001').includes(`${TITLE}: BUILDING`), 5000);
      const tookMs = Date.now() - (t.crashed.at ?? 0);
      t.move(at('DEPLOYING', 3));
      await waitFor('the DEPLOYING reply', () => t.replies('1.000001').includes(`${TITLE}: DEPLOYING`));
      t.move(at('ACTIVE', 4));
      await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
      await b.idle();
      await t.redis.del('replica:replica-a');
      expect(t.replies('1.000001')).toEqual([
        `${TITLE}: started`,
        `${TITLE}: BUILDING`,
        `${TITLE}: DEPLOYING`,
        `${TITLE}: done, the details`,
      ]);
      const late = t.posts.find((p) => p.message.text === `${TITLE}: BUILDING`);
      expect(JSON.stringify(late?.message.blocks)).toContain(
        'Posted late: the replica that followed this stopped',
      );
      // A dead replica's claim is posted on the takeover; one that may be alive and slow is
      // given the reply lease first, so it is not doubled.
      if (how === 'dead') expect(tookMs).toBeLessThan(REPLY_LEASE_MS);
      else expect(tookMs).toBeGreaterThanOrEqual(REPLY_LEASE_MS);
      console.log(
        `crash window 1 (${how}): phase reply posted ${tookMs} ms after the crash (lease 300 ms, reply lease ${REPLY_LEASE_MS} ms)`,
      );
    });
  phaseClaimedThenStuck('dead');
  phaseClaimedThenStuck('alive, stuck');

  it('had a phase reply taken by Slack and died before Redis heard: the next replica finds it in the thread', async () => {
    const t = setup('crash-phase-posted', { replyLeaseMs: REPLY_LEASE_MS });
    const b = await buildingPostedThenTakenOver(t);
    // Past the claim's lease: B settles it (found in the thread), then goes on.
    await waitFor(
      'the claim to be settled',
      async () => (await t.watchers.pendingReplies('dep-1')).size === 0,
      5000,
    );
    t.move(at('ACTIVE', 4));
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await b.idle();
    expect(t.replies('1.000001')).toEqual([
      `${TITLE}: started`,
      `${TITLE}: BUILDING`,
      `${TITLE}: done, the details`,
    ]);
  });

  it('had the outcome taken by Slack and died before Redis heard: the next replica does not tell it again', async () => {
    const t = setup('crash-final-posted', { replyLeaseMs: REPLY_LEASE_MS });
    t.crashes.push({ at: 'after', when: (m) => m.text === `${TITLE}: done, the details` });
    const a = t.follower('replica-a');
    t.move(at('BUILDING', 1));
    await a.start(t.record);
    await waitFor('the first reply', () => t.replies('1.000001').includes(`${TITLE}: started`));
    t.move(at('ACTIVE', 4));
    await waitFor('A to die after posting the outcome', () => t.crashed.at);
    const b = t.follower('replica-b');
    await takeOver(t, b);
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    const tookMs = Date.now() - (t.crashed.at ?? 0);
    await b.idle();
    expect(t.replies('1.000001')).toEqual([`${TITLE}: started`, `${TITLE}: done, the details`]);
    // Found in the thread at once: no need to wait for the claim's lease.
    expect(tookMs).toBeLessThan(REPLY_LEASE_MS);
    console.log(`crash window 2: outcome found in the thread, record settled ${tookMs} ms after the crash`);
  });

  it('claimed the outcome and died before Slack had it: the next replica tells it, once', async () => {
    const t = setup('crash-final-claimed', { replyLeaseMs: REPLY_LEASE_MS });
    t.crashes.push({ at: 'before', when: (m) => m.text === `${TITLE}: done, the details` });
    const a = t.follower('replica-a');
    t.move(at('BUILDING', 1));
    await a.start(t.record);
    await waitFor('the first reply', () => t.replies('1.000001').includes(`${TITLE}: started`));
    t.move(at('ACTIVE', 4));
    await waitFor('A to die posting the outcome', () => t.crashed.at);
    const b = t.follower('replica-b');
    await takeOver(t, b);
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    const tookMs = Date.now() - (t.crashed.at ?? 0);
    await b.idle();
    expect(t.replies('1.000001')).toEqual([`${TITLE}: started`, `${TITLE}: done, the details`]);
    // A is dead (no liveness mark): its claim is not waited for.
    expect(tookMs).toBeLessThan(REPLY_LEASE_MS);
    console.log(`crash window 2 (claimed, not posted): outcome posted ${tookMs} ms after the crash`);
  });

  it('without a readable thread (no history scope), drops a claimed phase reply rather than risk it twice, and still tells the outcome', async () => {
    const t = setup('crash-unreadable', { replyLeaseMs: REPLY_LEASE_MS });
    t.slack.threadReplies = async () => {
      throw Object.assign(new Error('An API error occurred: missing_scope'), {
        code: 'slack_webapi_platform_error',
        data: { ok: false, error: 'missing_scope' },
      });
    };
    const b = await buildingPostedThenTakenOver(t);
    await waitFor(
      'the claim to be dropped',
      async () => (await t.watchers.pendingReplies('dep-1')).size === 0,
      5000,
    );
    t.move(at('ACTIVE', 4));
    await waitFor('the record to go', async () => (await t.watchers.list()).length === 0);
    await b.idle();
    // BUILDING once (A's, which B could not see and so did not post again).
    expect(t.replies('1.000001')).toEqual([
      `${TITLE}: started`,
      `${TITLE}: BUILDING`,
      `${TITLE}: done, the details`,
    ]);
  });
});
