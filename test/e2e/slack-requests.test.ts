import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { signRequest } from '../../src/slack/signature.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, carol, dave } = SANDBOX_USERS;
const { dev, ops } = SANDBOX_CHANNELS;

describe('requests from Slack', async () => {
  const world = await testWorld();
  const { driver, sim } = world;

  /** Values of one Prometheus counter, by its single label. */
  async function counter(name: string): Promise<Record<string, number>> {
    const text = await (await fetch(`http://127.0.0.1:${world.bot.port}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(new RegExp(`^${name}\\{\\w+="([^"]+)"\\} (\\d+)$`, 'gm'))) {
      out[m[1] ?? ''] = Number(m[2]);
    }
    return out;
  }
  const delta = (before: Record<string, number>, after: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
        .filter(([, d]) => d !== 0),
    );

  it('counts every request to /slack/events by what became of it (dockside_slack_requests_total)', async () => {
    const before = await counter('dockside_slack_requests_total');
    const body = driver.commandBody(alice, dev, '/audit', '--limit 1');
    const ts = Math.floor(Date.now() / 1000);
    expect((await driver.send(body, {}, ts)).status).toBe(200);
    expect((await driver.send(body, {}, ts)).status).toBe(401);
    expect((await driver.send(body, {}, ts - 6 * 60)).status).toBe(401);
    const forged = await fetch(`http://127.0.0.1:${world.bot.port}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signRequest('not-the-secret', ts, body),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect(delta(before, await counter('dockside_slack_requests_total'))).toEqual({
      acked: 1,
      replayed: 1,
      stale_timestamp: 1,
      bad_signature: 1,
    });
  });

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
    const sent = sim.requests().length;
    const body = driver.commandBody(alice, dev, '/deploy', 'web staging');
    const now = Math.floor(Date.now() / 1000);
    expect((await driver.send(body, {}, now - 6 * 60)).status).toBe(401);
    expect((await driver.send(body, {}, now + 6 * 60)).status).toBe(401);
    expect(sim.requests()).toHaveLength(sent);
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
    const sent = sim.requests().length;
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
    expect(sim.requests()).toHaveLength(sent);
  });

  it('refuses a user without the grant and audits the refusal', async () => {
    const sent = sim.requests().length;
    const answer = (await answerTo(world, await driver.command(dave, dev, '/deploy', 'web staging'))).text;
    expect(answer).toMatch(/^You may not deploy web staging\. Ask a dockside admin/);
    expect(sim.requests()).toHaveLength(sent);
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

  it('says to invite the bot when Slack answers not_in_channel for the ops channel, deploying nothing', async () => {
    const sent = sim.requests().length;
    world.slack.notInChannel.add(ops);
    try {
      const res = await driver.command(alice, dev, '/deploy', 'web production');
      const answer = (await answerTo(world, res)).text;
      expect(answer).toMatch(
        /^Slack would not let dockside post in a channel it needed \(not_in_channel\): invite it there with `\/invite @dockside`/,
      );
      expect(world.slack.refusals).toContainEqual({ method: 'chat.postMessage', error: 'not_in_channel' });
    } finally {
      world.slack.notInChannel.delete(ops);
    }
    expect(
      sim
        .requests()
        .slice(sent)
        .filter((r) => r.method !== 'GET'),
    ).toEqual([]);
  });

  it('still ends a deployment message as done when Slack rate-limits one of its updates', async () => {
    world.slack.rateLimit('chat.update', 1, 1);
    const from = world.slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor('the deployment message', () => world.slack.messages[from], 5000);
    await waitFor('the message to end', () => / (done|failed)$/.test(message.text), 10_000);
    expect(message.text).toBe('Deploying web staging: done');
    expect(world.slack.refusals).toContainEqual({ method: 'chat.update', error: 'ratelimited' });
  });

  describe('/audit', () => {
    /** The entry lines of an /audit answer (the first line is its heading). */
    const audit = async (user: string, text: string) => {
      const answer = (await answerTo(world, await driver.command(user, dev, '/audit', text))).text;
      const [head = '', ...lines] = answer.split('\n');
      return { answer, head, lines };
    };

    it('filters by app, by @user as Slack sends it, and caps with --limit', async () => {
      /** Runs a command and waits for its audit entry (locks answer in the channel). */
      const run = async (user: string, command: string, text: string) => {
        await driver.command(user, dev, command, text);
        await waitFor(`the audit entry of ${command} ${text}`, async () =>
          (await world.bot.audit.list({ user, limit: 5 })).some((e) => e.command === `${command} ${text}`),
        );
      };
      for (const target of ['web staging', 'erp staging']) {
        await run(alice, '/lock', `${target} --for 1h audit test`);
        await run(alice, '/unlock', target);
      }
      await run(dave, '/deploy', 'erp staging');

      const web = await audit(alice, 'web --limit 50');
      expect(web.lines.length).toBeGreaterThanOrEqual(2);
      expect(web.lines.some((l) => l.includes('`/lock web staging --for 1h audit test`'))).toBe(true);
      expect(web.lines.filter((l) => l.includes('erp'))).toEqual([]);

      // Typed as `@dave`; /audit has should_escape, so it arrives as <@U0DAVE|dave>.
      const byDave = await audit(alice, '@dave --limit 50');
      expect(byDave.head).toMatch(new RegExp(`^\\*Last \\d+ audit entries for <@${dave}>\\*`));
      expect(byDave.lines.length).toBeGreaterThanOrEqual(2);
      expect(byDave.lines.every((l) => l.includes(` <@${dave}> `))).toBe(true);
      expect(byDave.lines.some((l) => l.includes('`/deploy erp staging`') && l.includes('*refused*'))).toBe(
        true,
      );

      const two = await audit(alice, 'erp @dave --limit 1');
      expect(two.head).toBe(`*Last 1 audit entries for erp, <@${dave}>* (newest first)`);
      expect(two.lines).toHaveLength(1);
      expect(two.lines[0]).toContain('`/deploy erp staging`');

      const bad = await audit(alice, '--limit 0');
      expect(bad.answer).toMatch(/`--limit` takes a whole number from 1 to 200\./);
    });

    it('verifies the hash chain, and names the entry that was changed behind its back', async () => {
      const intact = await audit(alice, 'verify');
      expect(intact.answer).toMatch(
        /^:white_check_mark: The audit log's hash chain is intact \((\d+) entries checked\)\.$/,
      );
      const [victim] = await world.bot.audit.list({ user: dave, limit: 1 });
      if (!victim) throw new Error('no entry of dave to change');
      const raw = await world.bot.redis.hget('audit:entries', victim.id);
      await world.bot.redis.hset('audit:entries', victim.id, (raw ?? '').replace('"refused"', '"succeeded"'));
      const broken = await audit(alice, 'verify');
      expect(broken.answer).toContain(
        `:rotating_light: The audit log's hash chain is broken at entry ${victim.id}`,
      );
    });
  });
});
