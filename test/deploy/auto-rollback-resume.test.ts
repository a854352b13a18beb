import { describe, expect, it } from 'vitest';
import { autoRollBack } from '../../handlers/deploy/auto-rollback.js';
import type { FinishedDeployment } from '../../handlers/deploy/follow-types.js';
import type { RunnerDeps } from '../../handlers/deploy/runners.js';
import type { RollingBack, WatchRecord } from '../../handlers/deploy/watchers.js';
import { createIntentStore } from '../../src/intents.js';
import { createLogger } from '../../src/logger.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const appId = DEMO_IDS.apps.webStaging;

// An auto-rollback marked in the watch record by a replica that died: the one that takes
// over sends it only when it was neither sent nor is being sent (crash window 3).
describe('an auto-rollback a replica marked before it died', async () => {
  const world = await testWorld();
  const clock = { now: () => Date.now() };
  const intents = createIntentStore(world.bot.redis, clock);
  const deps: RunnerDeps & { slack: typeof world.bot.slack } = {
    do: world.bot.do,
    locks: world.bot.locks,
    follower: world.bot.follower,
    clock,
    intents: { store: intents, replicaId: 'taker', working: new Set() },
    log: createLogger({ level: 'silent' }),
    slack: world.bot.slack,
  };
  const rollbacks = () =>
    world.sim
      .requests({ method: 'POST', route: '/v2/apps/:id/rollback' })
      .filter((r) => r.path.includes(appId));
  // A deployment that went live and failed its checks, and the one that served before it.
  const previous = world.sim.app(appId).active_deployment?.id ?? '';
  const from = world.slack.messages.length;
  await world.driver.command(alice, dev, '/deploy', 'web staging');
  const line = await waitFor('the deploy to end', () =>
    world.slack.messages.slice(from).find((m) => m.text === 'Deploying web staging: done'),
  );
  const failed = world.sim.app(appId).active_deployment?.id ?? '';
  const finished = (rollingBack: RollingBack, marks: RollingBack[]): FinishedDeployment => {
    const record: WatchRecord = {
      deploymentId: failed,
      appId,
      app: 'web',
      env: 'staging',
      kind: 'deploy',
      user: alice,
      message: { channel: dev, ts: line.ts },
      startedAt: new Date().toISOString(),
      autoRollback: true,
      rollingBack,
    };
    return {
      record,
      deployment: { id: failed } as FinishedDeployment['deployment'],
      ok: false,
      timedOut: false,
      markRollingBack: async (r) => {
        marks.push(r);
      },
    };
  };

  it('being sent by a live replica (its intent open): follows it, sends none', async () => {
    await intents.heartbeat('sender', 60_000);
    const open = await intents.create({
      kind: 'rollback',
      owner: 'sender',
      user: alice,
      channel: dev,
      app: 'web',
      env: 'staging',
      appId,
      causeHint: previous,
    });
    const marks: RollingBack[] = [];
    const said = await autoRollBack(
      deps,
      finished({ to: previous, at: new Date().toISOString() }, marks),
      previous,
    );
    await intents.remove(open.id);
    expect(said).toContain(`rolling back to \`${previous.slice(0, 8)}\``);
    expect(said).toContain('its own message follows it');
    expect(rollbacks()).toHaveLength(0);
    expect(marks).toEqual([]);
  });

  it('neither sent nor being sent: sends it now, once, and records its id', async () => {
    const marks: RollingBack[] = [];
    const at = new Date().toISOString();
    const said = await autoRollBack(deps, finished({ to: previous, at }, marks), previous);
    expect(rollbacks()).toHaveLength(1);
    const id = marks.at(-1)?.deploymentId ?? '';
    expect(id).not.toBe('');
    expect(said).toBe(
      `:rewind: auto_rollback is on: rolling back to \`${previous.slice(0, 8)}\` (deployment \`${id.slice(0, 8)}\`).`,
    );
    // Taken over once more (its id never saved): DigitalOcean's list names it; nothing is sent.
    const again = await autoRollBack(deps, finished({ to: previous, at }, []), previous);
    expect(again).toBe(said);
    expect(rollbacks()).toHaveLength(1);
    await waitFor('the rollback to end', () =>
      world.slack.messages.some((m) => m.text === 'Rolling back web staging: done'),
    );
  });
});
