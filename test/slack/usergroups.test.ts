import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createUsergroupDirectory } from '../../src/slack/usergroups.js';

function fakeClient(answer: (usergroup: string) => { users: string[] } | { error: string }) {
  const calls: string[] = [];
  const client = {
    usergroups: {
      users: {
        list: async ({ usergroup }: { usergroup: string }) => {
          calls.push(usergroup);
          const a = answer(usergroup);
          if ('error' in a) throw Object.assign(new Error(a.error), { data: { ok: false, error: a.error } });
          return { ok: true, users: a.users };
        },
      },
    },
  } as unknown as WebClient;
  return { client, calls };
}

describe('user group membership', () => {
  it('asks Slack once per group within a minute, then again', async () => {
    let now = 0;
    const { client, calls } = fakeClient(() => ({ users: ['U0BOB'] }));
    const dir = createUsergroupDirectory({
      client,
      clock: { now: () => now },
      log: createLogger({ level: 'silent' }),
    });
    expect((await dir.members('S0LEADS')).has('U0BOB')).toBe(true);
    await dir.members('S0LEADS');
    expect(calls).toEqual(['S0LEADS']);
    now = 61_000;
    await dir.members('S0LEADS');
    expect(calls).toEqual(['S0LEADS', 'S0LEADS']);
  });

  it('treats a group it cannot read (free plan) as empty and asks again next time', async () => {
    const { client, calls } = fakeClient(() => ({ error: 'plan_upgrade_required' }));
    const dir = createUsergroupDirectory({
      client,
      clock: { now: () => 0 },
      log: createLogger({ level: 'silent' }),
    });
    expect((await dir.members('S0LEADS')).size).toBe(0);
    await dir.members('S0LEADS');
    expect(calls).toHaveLength(2);
  });
});
