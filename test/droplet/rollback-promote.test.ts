import { describe, expect, it } from 'vitest';
import { promoteCommand } from '../../commands/promote.js';
import { rollbackCommand } from '../../commands/rollback.js';
import type { DeployTarget, Release, ReleaseRecord } from '../../handlers/deploy/target.js';
import { describePlan } from '../../handlers/droplet/plan.js';
import { listDropletReleases, type ReleaseList } from '../../handlers/droplet/rollback-list.js';
import { Config } from '../../src/config/schema.js';
import {
  dropletPromoteSummary,
  dropletReleaseList,
  dropletRollbackSummary,
} from '../../src/render/droplet-releases.js';
import { buttonsOf } from '../../src/sandbox/slack-driver.js';
import { unreachableDroplets } from '../helpers/droplets-config.js';

const droplets = unreachableDroplets;
const config = Config.parse({
  channels: { ops: 'C0123456789' },
  apps: {
    api: {
      environments: { staging: { droplets }, production: { droplets } },
      promote: { from: 'staging', to: 'production' },
    },
    mixed: {
      environments: {
        staging: { droplets },
        production: { app_id: '6f0e0b6e-1111-4222-8333-444455556666' },
      },
      promote: { from: 'staging', to: 'production' },
    },
  },
});
// parse() never touches its dependencies: nothing may reach a host, Redis or DigitalOcean.
const deps = {} as Parameters<typeof rollbackCommand>[0] & Parameters<typeof promoteCommand>[0];
const ID = 'r20261130T122530-ab12';

describe('/rollback and /promote parse Droplet envs', () => {
  it('rollback: a list, a release id, a list button; production needs approval', () => {
    const rollback = rollbackCommand(deps);
    expect(rollback.parse('api staging', config)).toEqual({
      droplets: true,
      target: { app: 'api', env: 'staging' },
      approval: false,
    });
    expect(rollback.parse(`api production ${ID} --list none@1796042197358`, config)).toEqual({
      droplets: true,
      target: { app: 'api', env: 'production' },
      approval: true,
      releaseId: ID,
      fromList: { activeId: 'none', at: 1796042197358 },
    });
  });

  it('rollback: refuses what is not a release id, App Platform words and forged list tokens', () => {
    const rollback = rollbackCommand(deps);
    const refused = (text: string, message: string | RegExp) =>
      expect(() => rollback.parse(text, config)).toThrow(
        expect.objectContaining({ code: 'usage', message: expect.stringMatching(message) }),
      );
    refused('api staging v1;rm', /is not a release id/);
    refused(`api staging ${'r'.repeat(65)}`, /is not a release id/);
    refused('api staging <!channel>', /^`&lt;!channel&gt;` is not a release id/);
    refused('api staging commit', /there is no pin to commit/);
    refused('api staging revert', /there is no pin to revert/);
    refused(`api staging ${ID} --list <@U1>@1`, /does not come from a dockside list/);
  });

  it('promote: both envs on Droplets; one of each kind is refused with the reason', () => {
    const promote = promoteCommand(deps);
    expect(promote.parse('api', config)).toEqual({
      droplets: true,
      app: 'api',
      from: { env: 'staging' },
      to: { env: 'production' },
    });
    expect(() => promote.parse('mixed', config)).toThrow(
      expect.objectContaining({
        code: 'promote_not_possible',
        message:
          'mixed staging runs on Droplets and mixed production on App Platform: /promote copies a release between envs of the same kind.',
      }),
    );
  });
});

describe('the Droplet release list', () => {
  const record = (id: string, outcome: ReleaseRecord['outcome']): ReleaseRecord => ({
    id,
    kind: 'deploy',
    services: [
      {
        service: 'backend',
        image: 'ghcr.io/acme/vulcan/backend',
        digest: `sha256:${'a'.repeat(64)}`,
        tag: 'v1',
      },
    ],
    by: 'U0ALICE',
    at: '2026-11-30T10:00:00Z',
    outcome,
  });
  const base = {
    app: 'api',
    env: 'production',
    approval: true,
    lock: null,
    ttlMs: 900_000,
    now: Date.parse('2026-11-30T13:05:00Z'),
  };

  it('has no buttons when what the hosts run is unknown, and says why and what to type', () => {
    const list: ReleaseList = {
      entries: [{ record: record(ID, 'succeeded'), current: false }],
      hostsProblem: 'Could not connect to deploy@10.0.0.5: <!here> timed out.',
    };
    const message = dropletReleaseList({ ...base, list });
    expect(buttonsOf({ blocks: message.blocks ?? [] })).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(
      'could not be told (Could not connect to deploy@10.0.0.5: &lt;!here&gt; timed out.)',
    );
    expect(text).toContain('/rollback api production &lt;release-id&gt;');
  });

  it('offers a button only for a finished release that is not running, and production picks have no confirm dialog', () => {
    const list: ReleaseList = {
      entries: [
        { record: record('r20261130T130000-0003', 'failed'), current: false, notPickable: 'failed' },
        {
          record: record('r20261130T120000-0002', 'succeeded'),
          current: true,
          notPickable: 'is what the hosts run now',
        },
        { record: record(ID, 'succeeded'), current: false },
      ],
      currentId: 'r20261130T120000-0002',
    };
    const message = dropletReleaseList({ ...base, list, token: '--list r20261130T120000-0002@1' });
    const buttons = buttonsOf({ blocks: message.blocks ?? [] });
    expect(buttons.map((b) => b.value)).toEqual([`api production ${ID} --list r20261130T120000-0002@1`]);
    expect(buttons.map((b) => b.text)).toEqual([`Roll back to ${ID} (v1, 3 h 5 min ago)`]);
    expect(JSON.stringify(message.blocks)).not.toContain('"confirm"');
  });

  it('an empty log says there is nothing to roll back to', () => {
    expect(dropletReleaseList({ ...base, list: { entries: [], currentId: 'none' } }).text).toBe(
      'api production has no releases in its release log yet: nothing to roll back to.',
    );
  });
});

describe('Droplet approval summaries', () => {
  const D1 = `sha256:${'1'.repeat(64)}`;
  const D2 = `sha256:${'2'.repeat(64)}`;
  // Tags and names read back from Redis are outside text, whatever wrote them.
  const plan = {
    app: 'api',
    env: 'production',
    kind: 'rollback' as const,
    release: { id: 'r20261130T122530-ab12', services: [] },
    changes: [
      {
        service: 'backend',
        image: 'ghcr.io/acme/vulcan/backend',
        from: { digest: D2, tag: '<!channel>' },
        to: { digest: D1, tag: '*v1*' },
      },
    ],
    binding: {},
  };
  const record: ReleaseRecord = {
    id: ID,
    kind: 'deploy',
    services: [],
    by: '<!here>',
    at: '2026-11-30T10:00:00Z',
    outcome: 'succeeded',
  };

  it('a rollback card names the release and each service from -> to, with hostile words escaped', () => {
    const text = dropletRollbackSummary(plan, record, describePlan(plan));
    expect(text).toContain(`to release ${ID} (a deploy by &lt;!here&gt;`);
    expect(text).toContain('• backend: 222222222222 (&lt;!channel&gt;) -&gt; 111111111111 (∗v1∗)');
    expect(text).not.toMatch(/<!here>|<!channel>|\*v1\*/);
    expect(text).toContain('No migration runs');
  });

  it('a promotion card names the source release and says when it goes stale', () => {
    const promote = { ...plan, kind: 'promote' as const };
    const text = dropletPromoteSummary(
      promote,
      { env: 'staging', release: { id: '<!everyone>', services: [] } },
      describePlan(promote),
      true,
    );
    expect(text).toContain(
      '*Promote to api production*: production is to run exactly the digests staging runs now (release &lt;!everyone&gt;)',
    );
    expect(text).toContain('with the migration run once on the first host');
    expect(text).toContain('If staging or production moves before this is approved, the approval is void.');
  });
});

describe('which release the hosts run', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const rec = (
    id: string,
    d: string,
    outcome: ReleaseRecord['outcome'],
    kind: ReleaseRecord['kind'] = 'deploy',
  ) =>
    ({
      id,
      kind,
      services: [{ service: 'backend', image: 'ghcr.io/acme/vulcan/backend', digest: digest(d) }],
      by: 'U0ALICE',
      at: '2026-11-30T10:00:00Z',
      outcome,
    }) satisfies ReleaseRecord;
  const target = (records: ReleaseRecord[], current: Release | Error | undefined) =>
    ({
      app: 'api',
      env: 'production',
      releases: async () => records,
      currentRelease: async () => {
        if (current instanceof Error) throw current;
        return current;
      },
    }) as unknown as DeployTarget;
  // Newest first, as the log lists them.
  const log = [
    rec('r20261130T120000-0003', 'c', 'rolled_back'),
    rec('r20261130T110000-0002', 'b', 'succeeded'),
    rec('r20261130T100000-0001', 'a', 'succeeded'),
  ];

  it('marks by release id, and by digests when the hosts name a release the log does not hold', async () => {
    const byId = await listDropletReleases(
      target(log, { id: 'r20261130T110000-0002', services: log[1]!.services }),
    );
    expect(byId.entries.map((e) => e.current)).toEqual([false, true, false]);
    expect(byId.currentId).toBe('r20261130T110000-0002');
    const byHand = await listDropletReleases(target(log, { id: 'seeded', services: log[2]!.services }));
    expect(byHand.entries.map((e) => e.current)).toEqual([false, false, true]);
    expect(byHand.entries.map((e) => e.notPickable)).toEqual([
      'failed and was rolled back',
      undefined,
      'is what the hosts run now',
    ]);
  });

  it('still lists when the hosts cannot be read, with nothing marked and the reason', async () => {
    const list = await listDropletReleases(target(log, new Error('Could not connect to deploy@10.0.0.5')));
    expect(list.currentId).toBeUndefined();
    expect(list.hostsProblem).toBe('Could not connect to deploy@10.0.0.5');
    expect(list.entries.map((e) => e.current)).toEqual([false, false, false]);
  });

  it('names what a rollback went back to', async () => {
    const list = await listDropletReleases(
      target([rec('r20261130T130000-0004', 'a', 'succeeded', 'rollback'), ...log], undefined),
    );
    expect(list.entries[0]?.sameAs).toBe('r20261130T100000-0001');
    expect(list.currentId).toBe('none');
  });
});
