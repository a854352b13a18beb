import { describe, expect, it } from 'vitest';
import { createThreadReplies } from '../../handlers/deploy/thread-replies.js';
import type { WatcherStore } from '../../handlers/deploy/watchers.js';
import { createLogger } from '../../src/logger.js';
import { setup } from './helpers.js';

/**
 * Redis died while it answered a claim: the claim was written (and kept, on a Redis that
 * comes back with its data) but this replica heard only an error, so nothing was posted.
 * The replica knows it never sent that reply: the outcome must not wait out the lease of
 * a post that cannot be in flight (the CI run of session 4 saw the outcome 15 s late).
 */
describe('a claim whose answer Redis lost', () => {
  it('is posted before the outcome at once, not after the lease, and told once', async () => {
    const t = setup('claim-unanswered');
    let lose = true;
    const watchers: WatcherStore = {
      ...t.watchers,
      claimPending: async (...args) => {
        const claimed = await t.watchers.claimPending(...args);
        if (!lose) return claimed;
        lose = false;
        throw new Error('Connection is closed.');
      },
    };
    const slept: number[] = [];
    const thread = createThreadReplies({
      watchers,
      slack: t.slack,
      sleep: async (ms) => {
        slept.push(ms);
      },
      replicaId: 'replica-a',
      now: Date.now,
      replyLeaseMs: 15_000,
    });
    const log = createLogger({ level: 'silent' });
    await thread.note(t.record, 'verify', 'Checking the runtime logs for 5 min.', log);
    // Told again (the next poll): the claim is there, so this does not post it either.
    await thread.note(t.record, 'verify', 'Checking the runtime logs for 5 min.', log);
    expect(t.replies('1.000001')).toEqual([]);

    const outcome = {
      message: { text: 'line' },
      reply: { text: 'Deploying web staging: done, the details' },
      ok: true,
      summary: '',
    };
    await thread.deliverFinal({ ...t.record }, outcome, log);
    expect(slept).toEqual([]);
    expect(t.replies('1.000001')).toEqual([
      'Deploying web staging: Checking the runtime logs for 5 min.',
      'Deploying web staging: done, the details',
    ]);
    // It came after what it should have preceded, and says why in the reader's terms.
    expect(JSON.stringify(t.posts[0]?.message.blocks)).toContain(
      '_Posted late: Redis did not answer when it happened._',
    );
    expect((await t.watchers.pendingReplies(t.record.deploymentId)).size).toBe(0);
  });
});
