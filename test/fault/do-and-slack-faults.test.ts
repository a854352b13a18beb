import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { answerTo, waitFor } from '../helpers/world.js';
import { faultWorld, isCreateDeployment } from './helpers/fault-world.js';
import { slackMethod } from './helpers/http-fault-proxy.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;

// Issue 13, broken 2: a create whose answer never arrived, or whose progress message
// could not be posted, left a deployment nobody followed, and the user read that nothing was done.
describe('faults around a create', async () => {
  const { world, doProxy, slackProxy } = await faultWorld({
    bot: { doTimeoutMs: 800, createWindowMs: 1500, recoveryTickMs: 200 },
  });
  const creates = () =>
    world.sim
      .requests({ method: 'POST', route: '/v2/apps/:id/deployments' })
      .filter((r) => r.path.includes(DEMO_IDS.apps.webStaging)).length;

  it('DigitalOcean created it but its answer never came: the user is told so, and it is found and followed', async () => {
    const before = world.slack.messages.length;
    const sent = creates();
    const stop = doProxy.times(1, isCreateDeployment, {
      forward: true,
      after: () => new Promise(() => undefined),
    });
    const res = await world.driver.command(alice, dev, '/deploy', 'web staging');
    const answer = await answerTo(world, res);
    expect(answer.text).toMatch(
      /^DigitalOcean did not say whether it started the deploy of web staging \(.*timed out\)\./,
    );
    expect(answer.text).toContain('do not run the command again yet');
    expect(answer.text).not.toMatch(/nothing (more )?was done/i);
    const message = await waitFor(
      'the deployment found and followed',
      () => world.slack.messages.slice(before).find((m) => m.text.startsWith('Deploying web staging')),
      10_000,
    );
    await waitFor('the outcome', () => message.text === 'Deploying web staging: done', 10_000);
    expect(creates()).toBe(sent + 1);
    stop();
  });

  it('DigitalOcean answered 500 and created nothing: after looking, the user is told plainly it did not run', async () => {
    const sent = creates();
    const stop = doProxy.times(1, isCreateDeployment, { status: 500, body: '{"id":"server_error"}' });
    const res = await world.driver.command(alice, dev, '/deploy', 'web staging');
    expect((await answerTo(world, res)).text).toMatch(/^DigitalOcean did not say whether it started/);
    const told = await waitFor(
      'the conclusion',
      () =>
        world.slack.ephemerals.find((e) => e.via === 'chat.postEphemeral' && e.text.startsWith('Not run')),
      10_000,
    );
    expect(told).toMatchObject({ user: alice, channel: dev });
    expect(told.text).toBe(
      'Not run: DigitalOcean shows no deployment created for it, so nothing was deployed. Run `/deploy web staging` again if it is still needed.',
    );
    expect(creates()).toBe(sent);
    const results = (await world.bot.audit.list({ app: 'web', limit: 5 })).filter(
      (e) => e.action === 'deploy.result',
    );
    expect(results[0]?.result).toBe('failed');
    stop();
  });

  it('the progress message could not be posted: the deployment is still followed and its outcome posted', async () => {
    const before = world.slack.messages.length;
    const stop = slackProxy.times(1, (req) => slackMethod(req) === 'chat.postMessage', {
      status: 500,
      body: '',
    });
    const res = await world.driver.command(alice, dev, '/deploy', 'web staging');
    expect(res.status).toBe(200);
    const message = await waitFor(
      'the outcome',
      () => world.slack.messages.slice(before).find((m) => m.text === 'Deploying web staging: done'),
      10_000,
    );
    expect(message.channel).toBe(dev);
    expect(world.slack.ephemerals.map((e) => e.text).join('\n')).not.toMatch(/nothing (more )?was done/i);
    stop();
  });

  it('while it is followed, DigitalOcean answers 429, 500 and bodies that are not JSON: it is followed to the end anyway', async () => {
    const before = world.slack.messages.length;
    const poll = (req: { method: string; path: string }) =>
      req.method === 'GET' && /\/v2\/apps\/[^/]+\/deployments\/[^/]+$/.test(req.path);
    const stop = [
      doProxy.times(2, poll, { status: 200, body: '<html>502 Bad Gateway</html>' }),
      doProxy.times(1, poll, {
        status: 429,
        headers: { 'retry-after': '0' },
        body: '{"id":"too_many_requests"}',
      }),
      doProxy.times(2, poll, { status: 500, body: '{"id":"server_error"}' }),
    ];
    await world.driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor(
      'the outcome',
      () => world.slack.messages.slice(before).find((m) => m.text === 'Deploying web staging: done'),
      10_000,
    );
    expect(JSON.stringify(message.blocks)).not.toMatch(/API change/);
    expect(world.logs.join('')).not.toMatch(/API change/);
    for (const s of stop) s();
  });
});
