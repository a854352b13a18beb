import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { signRequest } from '../../src/slack/signature.js';
import { answerTo, testWorld } from '../helpers/world.js';

const { alice, carol, dave } = SANDBOX_USERS;
const { dev, ops } = SANDBOX_CHANNELS;

describe('requests from Slack', async () => {
  const world = await testWorld();
  const { driver, sim } = world;

  it('rejects a bad signature before anything runs', async () => {
    const before = sim.requests().length;
    const body = driver.commandBody(alice, dev, '/deploy', 'web staging');
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`http://127.0.0.1:${world.bot.port}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signRequest('not-the-secret', ts, body),
      },
      body,
    });
    expect(res.status).toBe(401);
    expect(sim.requests().length).toBe(before);
  });

  it('rejects timestamps more than five minutes old or ahead', async () => {
    const body = driver.commandBody(alice, dev, '/deploy', 'web staging');
    const now = Math.floor(Date.now() / 1000);
    expect((await driver.send(body, {}, now - 6 * 60)).status).toBe(401);
    expect((await driver.send(body, {}, now + 6 * 60)).status).toBe(401);
    expect(sim.requests({ method: 'POST' })).toHaveLength(0);
  });

  it('accepts a request once and rejects its replay', async () => {
    const body = driver.commandBody(alice, dev, '/audit', '');
    const ts = Math.floor(Date.now() / 1000);
    expect((await driver.send(body, {}, ts)).status).toBe(200);
    expect((await driver.send(body, {}, ts)).status).toBe(401);
  });

  it('answers an unknown /ops command with the way to list commands', async () => {
    const res = await driver.command(alice, dev, '/ops', 'frobnicate web');
    expect(res.status).toBe(200);
    expect((await answerTo(world, res)).text).toBe(
      '`frobnicate` is not a dockside command. `/ops help` lists the commands you may run.',
    );
  });

  it('answers malformed arguments with the problem and the usage line, touching nothing', async () => {
    const answers = [];
    for (const text of ['web', 'web staging --forse-build', 'shop staging']) {
      answers.push((await answerTo(world, await driver.command(alice, dev, '/deploy', text))).text);
    }
    expect(answers).toContain(
      'Which environment of `web`? (`staging`, `production`) Usage: `/deploy &lt;app&gt; &lt;env&gt; [--force-build]`',
    );
    expect(answers).toContain(
      'Unknown option `--forse-build`. Usage: `/deploy &lt;app&gt; &lt;env&gt; [--force-build]`',
    );
    expect(answers).toContain('There is no app `shop` in dockside.yml. Apps: `web`, `erp`.');
    expect(sim.requests({ method: 'POST' })).toHaveLength(0);
  });

  it('refuses a user without the grant and audits the refusal', async () => {
    const answer = (await answerTo(world, await driver.command(dave, dev, '/deploy', 'web staging'))).text;
    expect(answer).toMatch(/^You may not deploy web staging\. Ask a dockside admin/);
    expect(sim.requests({ method: 'POST' })).toHaveLength(0);
    const [entry] = await world.bot.audit.list({ user: dave, limit: 1 });
    expect(entry).toMatchObject({
      result: 'refused',
      app: 'web',
      env: 'staging',
      command: '/deploy web staging',
    });
  });

  it('works through the /ops umbrella and shows help limited to what the caller may run', async () => {
    const carolHelp = (await answerTo(world, await driver.command(carol, ops, '/ops', 'help'))).text;
    expect(carolHelp).toContain('/audit');
    expect(carolHelp).not.toContain('/deploy <app>');
    const aliceHelp = (await answerTo(world, await driver.command(alice, ops, '/ops', 'help'))).text;
    expect(aliceHelp).toContain('/deploy &lt;app&gt; &lt;env&gt; [--force-build]');
  });

  it('serves /health and /metrics', async () => {
    const health = await fetch(`http://127.0.0.1:${world.bot.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', redis: 'ok' });
    const metrics = await (await fetch(`http://127.0.0.1:${world.bot.port}/metrics`)).text();
    expect(metrics).toContain('dockside_slack_ack_seconds_bucket');
    expect(metrics).toMatch(/dockside_commands_total\{command="deploy",outcome="forbidden"\} [1-9]/);
  });
});
