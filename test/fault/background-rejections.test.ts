import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';
import { spawnBotProcess } from './helpers/spawn-bot.js';
import { recordUnhandledRejections } from './helpers/unhandled-rejections.js';

// Issue 13, broken 4 / "no unhandled rejections": every background loop catches its own
// failures, and a process-level handler logs what one forgot and keeps serving.
describe('a rejection in a background loop', async () => {
  const rejections = recordUnhandledRejections();
  const world = await testWorld({ bot: { recoveryTickMs: 50, expirySweepMs: 50 } });

  it('in each loop (lease renewal, recovery sweep, resume, expiry) is logged and the bot keeps answering', async () => {
    const { bot } = world;
    const injected = (loop: string) => () => Promise.reject(new Error(`injected failure in ${loop}`));
    bot.follower.renew = injected('renew');
    bot.recovery.sweep = injected('recovery');
    bot.follower.resume = injected('resume');
    bot.approvals.expireDue = injected('expiry');
    await waitFor('every loop to fail at least twice', () =>
      ['renew', 'recovery', 'resume', 'expiry'].every(
        (loop) => world.logs.filter((l) => l.includes(`injected failure in ${loop}`)).length >= 2,
      ),
    );
    expect(rejections).toEqual([]);
    const res = await world.driver.command(SANDBOX_USERS.carol, SANDBOX_CHANNELS.dev, '/audit', '--limit 1');
    expect((await answerTo(world, res)).text).toMatch(/audit entries/);
  });

  it('that nobody caught is logged by the process-level handler, and the process keeps serving', async () => {
    const bot = await spawnBotProcess(world, {
      replicaId: 'careless',
      env: { FAULT_INJECT_REJECTION: '1' },
    });
    await waitFor('the handler to log both', () =>
      ['injected background failure', 'injected uncaught exception'].every((t) => bot.output().includes(t)),
    );
    expect(bot.output()).toContain('dockside keeps serving');
    const health = await fetch(`http://127.0.0.1:${bot.port}/health`);
    expect(health.status).toBe(200);
    expect(bot.child.exitCode).toBeNull();
    expect(await bot.kill('SIGTERM')).toBe(0);
  });
});
