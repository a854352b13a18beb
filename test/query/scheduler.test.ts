import { describe, expect, it } from 'vitest';
import { QueryScheduler } from '../../handlers/query/scheduler.js';

/** Work that finishes when the test says so, recording the order things started in. */
function harness() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const job = (label: string) => () =>
    new Promise<string>((resolve) => {
      started.push(label);
      finishers.set(label, () => resolve(label));
    });
  const finish = async (label: string) => {
    finishers.get(label)?.();
    // Let the scheduler hand the slot on.
    await new Promise((r) => setImmediate(r));
  };
  return { started, job, finish };
}

describe('per-person fairness of /query', () => {
  it('runs at most two of one person at once and refuses past five waiting', async () => {
    const s = new QueryScheduler({ perUser: 2, queuePerUser: 5, total: 4 });
    const h = harness();
    const runs = Array.from({ length: 8 }, (_, i) =>
      s.run('A', h.job(`a${i}`)).catch((e: Error) => e.message),
    );
    await new Promise((r) => setImmediate(r));
    expect(h.started).toEqual(['a0', 'a1']);
    expect(await runs[7]).toBe('You have 5 queries waiting and 2 running; this one was not queued.');
    await h.finish('a0');
    expect(h.started).toEqual(['a0', 'a1', 'a2']);
  });

  it('gives a free slot to the next person in turn, not to the longest queue', async () => {
    const s = new QueryScheduler({ perUser: 2, queuePerUser: 5, total: 3 });
    const h = harness();
    for (let i = 0; i < 5; i++) void s.run('A', h.job(`a${i}`));
    void s.run('B', h.job('b0'));
    void s.run('B', h.job('b1'));
    void s.run('C', h.job('c0'));
    await new Promise((r) => setImmediate(r));
    // A holds two, B the third slot; C waits behind nobody's long queue but the slots.
    expect(h.started).toEqual(['a0', 'a1', 'b0']);
    // C has nothing running, so the first free slot is C's, although A freed it.
    await h.finish('a0');
    expect(h.started.at(-1)).toBe('c0');
    // Then whoever has the fewest running: A (0) before B and C (1 each).
    await h.finish('a1');
    expect(h.started.at(-1)).toBe('a2');
    await h.finish('b0');
    expect(h.started.at(-1)).toBe('b1');
  });

  it('frees the slot when the work fails', async () => {
    const s = new QueryScheduler({ perUser: 1, queuePerUser: 1, total: 1 });
    await expect(s.run('A', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await s.run('A', async () => 'next')).toBe('next');
  });
});
