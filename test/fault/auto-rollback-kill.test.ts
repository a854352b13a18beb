import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfig } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { startHealthServer } from '../helpers/health-server.js';
import { withThread } from '../helpers/thread.js';
import { waitFor } from '../helpers/world.js';
import { faultWorld } from './helpers/fault-world.js';
import { spawnBotProcess } from './helpers/spawn-bot.js';

const { alice, bob } = SANDBOX_USERS;
const isRollback = (req: { method: string; path: string }) =>
  req.method === 'POST' && /\/v2\/apps\/[^/]+\/rollback$/.test(req.path);

// Crash window 3: the replica that follows a failing production deploy dies right after
// DigitalOcean started its auto-rollback, before the outcome was saved. The replica that
// takes over must follow that rollback, not send another (which the first's pin and lock
// refuse, turning the outcome into "the step after the deployment failed").
const killedAfterRollback = (when: string, phaseDelayMs: number) =>
  describe(`a replica killed right after it started an auto-rollback (${when})`, async () => {
    const health = await startHealthServer();
    health.routes.set('/web-production', { status: 503, body: { status: 'down' } });
    const { world, doProxy } = await faultWorld({
      phaseDelayMs,
      config: (sim) =>
        sandboxConfig({ healthBaseUrl: health.url, autoRollback: true, githubApiUrl: sim.githubUrl }),
    });

    it('is taken over by a replica that follows that rollback and says so, sending none of its own', async () => {
      const app = DEMO_IDS.apps.webProduction;
      const previous = world.sim.app(app).active_deployment?.id ?? '';
      const doomed = await spawnBotProcess(world, {
        replicaId: 'rollbacker',
        config: world.bot.config,
        doApiUrl: doProxy.urlFor(world.sim.url),
      });
      let killedAt = 0;
      const stop = doProxy.times(1, isRollback, {
        forward: true,
        after: async () => {
          killedAt = Date.now();
          await doomed.kill('SIGKILL');
        },
      });
      const before = approvalMessages(world.slack).length;
      await doomed.driver.command(alice, SANDBOX_CHANNELS.dev, '/deploy', 'web production');
      const card = await newApproval(world.slack, before);
      const from = world.slack.messages.length;
      await click(doomed.driver, bob, card, 'Approve');
      const line = await waitFor(
        'the deploy line',
        () =>
          world.slack.messages
            .slice(from)
            .find((m) => !m.thread_ts && m.text.startsWith('Deploying web production')),
        15_000,
      );
      await waitFor('the replica to die sending the rollback', () => killedAt > 0, 20_000);
      await waitFor('the outcome', () => line.text === 'Deploying web production: failed', 20_000);
      const outcomeMs = Date.now() - killedAt;
      const rollbackLine = await waitFor(
        'the rollback followed to its end',
        () =>
          world.slack.messages.find(
            (m) => !m.thread_ts && m.text.startsWith('Rolling back web production: done'),
          ),
        20_000,
      );
      const rollbackMs = Date.now() - killedAt;
      stop();
      const rollbacks = world.sim
        .requests({ method: 'POST', route: '/v2/apps/:id/rollback' })
        .filter((r) => r.path === `/v2/apps/${app}/rollback`);
      expect(rollbacks).toHaveLength(1);
      expect(rollbacks[0]?.body).toMatchObject({ deployment_id: previous });
      const rolledTo = world.sim.app(app).active_deployment?.id ?? '';
      const body = JSON.stringify((await withThread(world.slack, line)).blocks);
      expect(body).toContain(
        `auto_rollback is on: rolling back to \`${previous.slice(0, 8)}\` (deployment \`${rolledTo.slice(0, 8)}\`)`,
      );
      expect(body).not.toContain('The step after the deployment failed');
      expect(rollbackLine.text).toBe('Rolling back web production: done');
      console.log(
        `crash window 3 (${when}): killed after the rollback was sent; deploy outcome ${outcomeMs} ms later, rollback followed to its end ${rollbackMs} ms later`,
      );
    }, 90_000);
  });

// The takeover finds the deploy still ACTIVE (its rollback is slow): it must not send another.
killedAfterRollback('the deploy still live at the takeover', 2500);
// The rollback serves already: the deploy is SUPERSEDED, and its outcome still names the rollback.
killedAfterRollback('the rollback live before the takeover', 20);
