import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockside } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfig } from '../../src/sandbox/config.js';
import { DEMO_IDS, startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { startFakeSlack } from '../../src/sandbox/fake-slack.js';
import { startFakeSocketMode } from '../helpers/fake-socket-mode.js';
import { waitFor } from '../helpers/world.js';

describe('Socket Mode (SLACK_APP_TOKEN set)', async () => {
  const slack = await startFakeSlack({});
  const sim = await startDoSimulator({ phaseDelayMs: 20 });
  sim.seedDemo();
  const socket = await startFakeSocketMode();
  slack.socketModeUrl = socket.url;
  const bot = createDockside({
    env: {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      DIGITALOCEAN_TOKEN: sim.token,
      DIGITALOCEAN_API_URL: sim.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      DOCKSIDE_CONFIG: '(test)',
      PORT: 0,
      LOG_LEVEL: 'silent',
    },
    config: sandboxConfig(),
    log: createLogger({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
    pollMs: 25,
    updateIntervalMs: 50,
    slackRetries: 0,
    schedules: false,
    redisKeyPrefix: `socket:${randomBytes(4).toString('hex')}:`,
  });
  await bot.start();
  await socket.ready;
  afterAll(async () => {
    await bot.stop();
    await slack.close();
    await sim.close();
  });

  it('takes slash commands over the socket, acks them in time, deploys once even when redelivered', async () => {
    const command = {
      command: '/deploy',
      text: 'web staging',
      user_id: SANDBOX_USERS.alice,
      channel_id: SANDBOX_CHANNELS.dev,
      team_id: 'TSANDBOX',
      response_url: slack.responseUrl(),
      trigger_id: slack.issueTrigger(),
    };
    const first = await socket.send('slash_commands', command);
    expect(first.ack.envelope_id).toBe(first.envelopeId);
    expect(first.ms).toBeLessThan(3000);
    // Socket Mode redelivers an envelope whose ack it missed: acked again, run once.
    const again = await socket.send('slash_commands', command, first.envelopeId);
    expect(again.ack.envelope_id).toBe(first.envelopeId);
    await waitFor(
      'the deployment to finish',
      () => slack.messages.find((m) => m.text === 'Deploying web staging: done'),
      8000,
    );
    const deploys = sim.requests({ method: 'POST', route: '/v2/apps/:id/deployments' });
    expect(deploys.map((r) => r.path)).toEqual([`/v2/apps/${DEMO_IDS.apps.webStaging}/deployments`]);
    // One deployment line in the channel (its thread holds the phases).
    expect(
      slack.messages.filter((m) => !m.thread_ts && m.text.startsWith('Deploying web staging')),
    ).toHaveLength(1);
  });

  it('still serves /health and /metrics over HTTP, and no /slack/events', async () => {
    const base = `http://127.0.0.1:${bot.port}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', redis: 'ok', mode: 'socket' });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('dockside_commands_total');
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});
