import { describe, expect, it } from 'vitest';
import { describeCandidate } from '../../handlers/rollback/describe.js';
import { listRollbackCandidates } from '../../handlers/rollback/list.js';
import { commitRollback, revertRollback, runRollback } from '../../handlers/rollback/run.js';
import { validateRollback } from '../../handlers/rollback/validate.js';
import type { Deployment } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import {
  DIGEST,
  deployment,
  FakeDo,
  fixedClock,
  gitService,
  imageWorker,
  MemoryLocks,
  SHA,
} from '../promote/fake-do.js';

const APP = 'app-prd';
const clock = fixedClock('2026-11-22T12:00:00Z');
const spec = (digest: string) => ({
  name: 'web-production',
  services: [gitService('web', 'acme/web', 'production')],
  workers: [imageWorker('worker', { digest })],
});

/** 12 deployments an hour apart; the newest ERROR'd, so the one before it is ACTIVE. */
function history() {
  const fake = new FakeDo();
  fake.addApp(APP, spec(DIGEST.x));
  const deps: Deployment[] = [];
  for (let i = 0; i < 12; i += 1) {
    const at = new Date(Date.parse('2026-11-22T00:00:00Z') + i * 3_600_000).toISOString();
    const phase = i === 11 ? 'ERROR' : 'ACTIVE';
    const commit = i % 2 === 0 ? SHA.a : SHA.b;
    const d = deployment({ at, phase, spec: spec(i === 10 ? DIGEST.y : DIGEST.x), commits: { web: commit } });
    deps.push(fake.push(APP, { ...d, cause: `commit ${commit.slice(0, 7)} pushed to production` }));
  }
  return { fake, deps, active: deps[10]!, previous: deps[9]!, failed: deps[11]! };
}

async function rejection(promise: Promise<unknown>): Promise<DocksideError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DocksideError)) throw new Error(`expected a DocksideError, got ${String(err)}`);
  return err;
}

const target = (fake: FakeDo, locks: MemoryLocks) => ({
  do: fake,
  locks,
  appName: 'web',
  env: 'production',
  appId: APP,
});

describe('listRollbackCandidates', () => {
  it('lists the last 10 deployments newest first, marking the active one', async () => {
    const { fake, active, failed } = history();
    const list = await listRollbackCandidates({ do: fake, appId: APP, limit: 10, clock });
    expect(list).toHaveLength(10);
    expect(list[0]?.id).toBe(failed.id);
    expect(list.filter((c) => c.active).map((c) => c.id)).toEqual([active.id]);
    expect(list[0]?.selectable).toBe(false); // ERROR
    expect(list[1]?.selectable).toBe(false); // active
    expect(list[2]?.selectable).toBe(true);
    expect(describeCandidate(list[1]!)).toBe(
      `\`${active.id.slice(0, 8)}\` ACTIVE (active now), 2 h ago: web commit 1a2b3c4, worker ghcr.io/acme/worker@sha256:bbbbbbbbbbbb…; commit 1a2b3c4 pushed to production`,
    );
  });
});

describe('validateRollback', () => {
  it('passes App Platform warnings on in words that say what they mean', async () => {
    const { fake, previous } = history();
    fake.validation = {
      valid: true,
      warnings: [{ code: 'image_source_missing_digest', message: 'missing digest', components: ['worker'] }],
    };
    const check = await validateRollback({
      do: fake,
      appId: APP,
      deploymentId: previous.id,
      appName: 'web',
      env: 'production',
    });
    expect(check.valid).toBe(true);
    expect(check.warnings).toEqual([
      `worker uses an image tag, not a digest: the rollback pulls whatever the tag points at now, which may not be the image deployment \`${previous.id.slice(0, 8)}\` ran. Deploy by digest to make rollbacks exact.`,
    ]);
  });

  it('warns that a deployment running the same commits and digests as now changes no code', async () => {
    const fake = new FakeDo();
    fake.addApp(APP, spec(DIGEST.x));
    const old = fake.push(
      APP,
      deployment({ at: '2026-11-22T09:00:00Z', spec: spec(DIGEST.x), commits: { web: SHA.a } }),
    );
    fake.push(APP, deployment({ at: '2026-11-22T10:00:00Z', spec: spec(DIGEST.x), commits: { web: SHA.a } }));
    const check = await validateRollback({
      do: fake,
      appId: APP,
      deploymentId: old.id,
      appName: 'web',
      env: 'production',
    });
    expect(check.sameAsActive).toBe(true);
    expect(check.warnings[0]).toMatch(
      /^Deployment `\w{8}` runs the same commits and image digests as the active one: rolling back changes no code/,
    );
    const [, candidate] = await listRollbackCandidates({ do: fake, appId: APP, clock });
    expect(candidate?.sameAsActive).toBe(true);
    expect(describeCandidate(candidate!)).toContain('rolling back changes no code');
  });

  it.each([
    [
      'incompatible_phase',
      /ended in phase SUPERSEDED; App Platform can only roll back to a deployment that was ACTIVE once/,
    ],
    [
      'app_pinned',
      /web production is already pinned to an earlier rollback\. Keep it with Commit rollback or undo it with Revert rollback/,
    ],
    ['exceeded_revision_limit', /is too old: .* Pick a more recent one from `\/rollback web production`/],
  ])('explains %s and what to do', async (code, expected) => {
    const { fake, previous } = history();
    fake.validation = { valid: false, error: { code, message: code }, warnings: [] };
    const check = await validateRollback({
      do: fake,
      appId: APP,
      deploymentId: previous.id,
      appName: 'web',
      env: 'production',
    });
    expect(check.valid).toBe(false);
    expect(check.errorMessage).toMatch(expected);
  });

  it('refuses the active deployment without asking App Platform', async () => {
    const { fake, active } = history();
    const check = await validateRollback({ do: fake, appId: APP, deploymentId: active.id });
    expect(check.errorMessage).toMatch(/is the active deployment already/);
    expect(fake.calls).toEqual([]);
  });

  it('says clearly when the id is not a deployment of this app', async () => {
    const { fake } = history();
    const err = await rejection(
      validateRollback({
        do: fake,
        appId: APP,
        deploymentId: '11111111-2222-4333-8444-555555555555',
        appName: 'web',
        env: 'production',
      }),
    );
    expect(err.code).toBe('rollback_invalid');
    expect(err.message).toBe(
      'Deployment 11111111-2222-4333-8444-555555555555 is not a deployment of web production.',
    );
    expect(err.hint).toBe('`/rollback web production` lists its recent deployments.');
  });
});

describe('runRollback', () => {
  it('rolls back, then locks the env saying from what and to what', async () => {
    const { fake, active, previous } = history();
    const locks = new MemoryLocks();
    const result = await runRollback({
      ...target(fake, locks),
      deploymentId: previous.id,
      user: 'U0ALICE',
      clock,
    });

    expect(fake.calls).toEqual([`validateRollback ${APP} ${previous.id}`, `rollback ${APP} ${previous.id}`]);
    expect(result.deployment.cause).toBe('rollback');
    expect(await locks.get('web', 'production')).toEqual({
      app: 'web',
      env: 'production',
      by: 'dockside',
      reason: `rolled back from ${active.id.slice(0, 8)} to ${previous.id.slice(0, 8)}`,
      since: '2026-11-22T12:00:00.000Z',
    });
  });

  it('does not roll back when App Platform says it is invalid, and takes no lock', async () => {
    const { fake, failed } = history();
    fake.validation = { valid: false, error: { code: 'incompatible_phase', message: 'x' }, warnings: [] };
    const locks = new MemoryLocks();
    const err = await rejection(
      runRollback({ ...target(fake, locks), deploymentId: failed.id, user: 'U0ALICE', clock }),
    );
    expect(err.code).toBe('rollback_invalid');
    expect(err.message).toMatch(/ended in phase ERROR/);
    expect(fake.calls.some((c) => c.startsWith('rollback '))).toBe(false);
    expect(await locks.list()).toEqual([]);
  });

  it('refuses while the env is locked', async () => {
    const { fake, previous } = history();
    const locks = new MemoryLocks();
    await locks.lock({
      app: 'web',
      env: 'production',
      by: 'U0BOB',
      reason: 'release freeze',
      since: '2026-11-22T08:00:00Z',
    });
    const err = await rejection(
      runRollback({ ...target(fake, locks), deploymentId: previous.id, user: 'U0ALICE', clock }),
    );
    expect(err.code).toBe('env_locked');
    expect(err.message).toBe(
      'web production is locked by <@U0BOB> since <!date^1795334400^{date_short_pretty} {time}|2026-11-22T08:00:00Z>: release freeze',
    );
    expect(fake.calls).toEqual([]);
  });

  it('reports a rollback that ran even when the lock could not be written', async () => {
    const { fake, previous } = history();
    const locks = new MemoryLocks();
    locks.failWrites = true;
    const result = await runRollback({
      ...target(fake, locks),
      deploymentId: previous.id,
      user: 'U0ALICE',
      clock,
    });
    expect(result.deployment.id).toBeTruthy();
    expect(result.lock).toBeUndefined();
    expect(result.lockProblem).toMatch(
      /The rollback ran, but web production could not be locked .* \/lock web production/,
    );
  });
});

describe('commit and revert', () => {
  async function rolledBack() {
    const h = history();
    const locks = new MemoryLocks();
    const rb = await runRollback({
      ...target(h.fake, locks),
      deploymentId: h.previous.id,
      user: 'U0ALICE',
      clock,
    });
    h.fake.calls.length = 0;
    return { ...h, locks, rb };
  }

  it('commit unpins the app and keeps the lock until /unlock', async () => {
    const { fake, locks, rb } = await rolledBack();
    const result = await commitRollback(target(fake, locks));
    expect(fake.calls).toEqual([`commitRollback ${APP}`]);
    expect((await fake.getApp(APP)).pinnedDeployment).toBeUndefined();
    expect(await locks.get('web', 'production')).not.toBeNull();
    expect(result.message).toContain(
      `Kept rollback deployment \`${rb.deployment.id.slice(0, 8)}\` on web production and unpinned the app`,
    );
    // Why the lock stays, and how to lift it, once.
    expect(result.message).toContain('a deploy now would bring back the code you rolled away from');
    expect(result.message.match(/\/unlock web production/g)).toHaveLength(1);
  });

  it('revert deploys the pre-rollback spec and lifts the rollback lock', async () => {
    const { fake, locks } = await rolledBack();
    const result = await revertRollback(target(fake, locks));
    expect(fake.calls).toEqual([`revertRollback ${APP}`]);
    expect(result.deployment.cause).toBe('rollback reverted');
    expect(result.unlocked).toBe(true);
    expect(await locks.get('web', 'production')).toBeNull();
    expect(result.message).toContain(
      'dockside lifted the lock it took for the rollback, since web production goes back',
    );
  });

  it('revert is refused by a lock that a person took, and keeps it', async () => {
    const { fake, locks } = await rolledBack();
    await locks.lock({
      app: 'web',
      env: 'production',
      by: 'U0BOB',
      reason: 'incident 7',
      since: '2026-11-22T12:01:00Z',
    });
    const err = await rejection(revertRollback(target(fake, locks)));
    expect(err.code).toBe('env_locked');
    expect(err.message).toContain('locked by <@U0BOB>');
    expect(err.message).toContain('incident 7');
    expect(fake.calls).toEqual([]);
    expect(await locks.get('web', 'production')).toMatchObject({ by: 'U0BOB' });
  });

  it('refuses to commit when nothing is pinned', async () => {
    const { fake } = history();
    const err = await rejection(commitRollback(target(fake, new MemoryLocks())));
    expect(err.message).toBe(
      'web production is not pinned to a rollback, so there is nothing to commit or revert.',
    );
    expect(fake.calls).toEqual([]);
  });
});
