import { describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS } from '../../src/sandbox/do-simulator.js';
import { click } from '../helpers/approvals.js';
import { withThread } from '../helpers/thread.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, carol, dave } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const STAGING = DEMO_IDS.apps.webStaging;
const PROD = DEMO_IDS.apps.webProduction;

/** The code blocks of a message, unfenced: what a reader sees as log lines. */
function shownLines(message: { blocks: unknown[] }): string[] {
  return (message.blocks as Array<{ text?: { text?: string } }>)
    .map((b) => b.text?.text ?? '')
    .filter((t) => t.startsWith('```'))
    .flatMap((t) => t.slice(3, -3).split('\n'));
}
/** The uploaded text; the fake Slack may keep the multipart body files.uploadV2 sent. */
function fileText(content: Buffer): string {
  const raw = content.toString('utf8');
  const boundary = /^(--\S+)\r\n/.exec(raw)?.[1];
  if (!boundary) return raw;
  const part = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return part.slice(0, part.lastIndexOf(`\r\n${boundary}--`));
}
/** What a reader sees: Slack shows `&lt;` as `<`. */
const readable = (line: string) =>
  line.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
const sectionTexts = (message: { blocks: unknown[] }) =>
  (message.blocks as Array<{ text?: { text?: string } }>).map((b) => b.text?.text ?? '').join('\n');
const header = (message: { blocks: unknown[] }) =>
  ((message.blocks[0] as { text?: { text?: string } }).text?.text ?? '').split('\n');

describe('/logs through signed requests', async () => {
  const world = await testWorld();
  const { driver, slack, sim } = world;
  const logsMessage = async (user: string, text: string) => {
    const from = slack.messages.length;
    await driver.command(user, dev, '/logs', text);
    return waitFor(`the answer to /logs ${text}`, () =>
      slack.messages.slice(from).find((m) => m.text.includes(' log')),
    );
  };
  const logRequests = () => sim.requests({ method: 'GET' }).filter((r) => r.route.endsWith('/logs'));

  it('shows the build log of the active deployment', async () => {
    const message = await logsMessage(alice, 'web staging build');
    expect(message.channel).toBe(dev);
    expect(message.text).toBe('web staging BUILD log');
    const active = sim.app(STAGING).active_deployment?.id ?? '';
    expect(header(message)[0]).toBe(
      `:page_facing_up: *web staging* BUILD log · all components · active deployment \`${active.slice(0, 8)}\` · last 10 lines`,
    );
    const lines = shownLines(message).map(readable);
    expect(lines.some((l) => /^web \S+ => Build complete, image uploaded$/.test(l))).toBe(true);
    expect(lines.some((l) => /^worker \S+ => Pulling image web-worker@sha256:/.test(l))).toBe(true);
    expect(logRequests().at(-1)?.route).toBe('/v2/apps/:id/deployments/:deploymentId/logs');
    expect(logRequests().at(-1)?.query).toMatchObject({ type: 'BUILD', tail_lines: '40' });
  });

  it('shows the deploy log of one component', async () => {
    const message = await logsMessage(alice, 'web staging deploy --component web');
    expect(header(message)[0]).toContain('DEPLOY log · component `web`');
    expect(readable(shownLines(message).at(-1) ?? '')).toMatch(/^web \S+ => Deployment live$/);
  });

  it('shows the runtime log by default, with connection string passwords redacted', async () => {
    const message = await logsMessage(alice, 'web staging --component web');
    expect(message.text).toBe('web staging RUN log');
    const text = shownLines(message).join('\n');
    expect(text).toContain('connected to database postgres://app:[redacted]@main-pg');
    expect(text).not.toContain('sim-db-secret');
    expect(header(message)).toContain('_Read from the live stream for a few seconds._');
  });

  it('shows the lines of crashed instances (restarted), saying when there are none', async () => {
    const message = await logsMessage(alice, 'web staging restarted');
    expect(header(message)).toContain('_The log is empty._');
    expect(shownLines(message)).toEqual([]);
  });

  it('keeps the lines matching --grep, case-insensitive, quoted patterns with spaces too', async () => {
    sim.addLogLines(STAGING, { type: 'RUN', component: 'web' }, [
      'Error: connection refused by upstream',
      'GET /api/orders 500 12ms',
      'error: CONNECTION REFUSED again',
    ]);
    const message = await logsMessage(alice, 'web staging run --component web --grep "connection refused"');
    expect(shownLines(message).map((l) => l.split(' ').slice(2).join(' '))).toEqual([
      'Error: connection refused by upstream',
      'error: CONNECTION REFUSED again',
    ]);
    expect(header(message)[0]).toContain('lines matching `connection refused`: 2 of 9 read, last 2 shown');
    // A filter needs the whole tail, so DigitalOcean is not asked to cut it.
    expect(logRequests().at(-1)?.query.tail_lines).toBeUndefined();
  });

  it('filters a failed deployment given by id with a regular expression', async () => {
    const failed = (await world.bot.do.listDeployments(STAGING)).find((d) => d.phase === 'ERROR');
    const message = await logsMessage(
      alice,
      `web staging build --deployment ${failed?.id} --grep ^web.*(error|err!)`,
    );
    expect(header(message)[0]).toContain(`deployment \`${failed?.id.slice(0, 8)}\` (ERROR)`);
    const shown = shownLines(message).map((l) => l.split(' ').slice(2).join(' '));
    expect(shown).toEqual([
      'src/pricing.ts(42,7): error TS2322: Type "string" is not assignable to type "number".',
      'npm ERR! code 1',
      'npm ERR! command failed: npm run build',
      'ERROR: failed to build: npm run build exited with code 1',
    ]);
  });

  it('escapes mentions and links, keeps the code block closed, and redacts password= secrets', async () => {
    sim.addLogLines(PROD, { type: 'DEPLOY', component: 'web' }, [
      'hello <!channel> see <https://evil.example|SSO expired> & <@U0BOB>',
      'oops ``` closing the fence',
      'DB_PASSWORD=hunter2hunter2 api_key: "sk_live_abcdef123456"',
    ]);
    const message = await logsMessage(alice, 'web production deploy --component web --lines 3');
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).not.toContain('<https://evil.example');
    expect(blocks).not.toContain('hunter2');
    expect(blocks).not.toContain('sk_live_abcdef123456');
    const lines = shownLines(message).map((l) => l.split(' ').slice(2).join(' '));
    expect(lines).toEqual([
      'hello &lt;!channel&gt; see &lt;https://evil.example|SSO expired&gt; &amp; &lt;@U0BOB&gt;',
      'oops ˋˋˋ closing the fence',
      'DB_PASSWORD=[redacted] api_key: [redacted]',
    ]);
  });

  it('sends more than fits in a message as a file, redacted too', async () => {
    sim.addLogLines(
      STAGING,
      { type: 'RUN', component: 'worker' },
      Array.from(
        { length: 400 },
        (_, i) => `job ${i} done in 12ms token=tok-${i}-secretvalue padding ${'x'.repeat(40)}`,
      ),
    );
    const before = slack.files.length;
    await driver.command(alice, dev, '/logs', 'web staging run --component worker --lines 300');
    const file = await waitFor('the log file', () => slack.files[before]);
    expect(file.filename).toMatch(/^web-staging-run-worker-[0-9a-f]{8}\.log$/);
    expect(file.channel).toBe(dev);
    const text = fileText(file.content);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(300);
    expect(lines.at(-1)).toMatch(/^worker \S+ job 399 done in 12ms token=\[redacted\] padding x+$/);
    expect(text).not.toContain('secretvalue');
    expect(file.initialComment).toContain('300 lines as a file: more than a message holds');
  });

  it('refuses a --grep that is not a safe pattern before asking DigitalOcean anything', async () => {
    const before = sim.requests().length;
    const res = await driver.command(alice, dev, '/logs', 'web staging --grep (a+)+\\1');
    const answer = await answerTo(world, res);
    expect(answer.text).toMatch(
      /^`--grep` is not a pattern dockside can run: .*backreferences or lookaround/,
    );
    const mention = await answerTo(
      world,
      await driver.command(alice, dev, '/logs', 'web staging --grep &lt;!channel&gt;('),
    );
    expect(mention.text).toMatch(/^`--grep` is not a pattern dockside can run: missing closing \)\./);
    expect(mention.text).not.toContain('channel');
    const lookbehind = await answerTo(
      world,
      await driver.command(alice, dev, '/logs', 'web staging --grep (?<=x)y'),
    );
    expect(lookbehind.text).toMatch(/^`--grep` is not a pattern dockside can run/);
    expect(sim.requests().length).toBe(before);
  });

  it('runs a catastrophic-backtracking pattern in linear time', async () => {
    sim.addLogLines(STAGING, { type: 'BUILD', component: 'web' }, [`${'a'.repeat(1900)}!`]);
    const started = Date.now();
    const message = await logsMessage(alice, 'web staging build --component web --grep ^(a+)+$');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(header(message)).toContain('_No line matches._');
  });

  it('refuses bad input with the usage line, and people without the logs grant', async () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        alice,
        'web staging verbose',
        /^`verbose` is not a log type: use build, deploy, run, restarted or job\. Usage:/,
      ],
      [alice, 'web staging --lines 5000', /^`--lines` takes a whole number from 1 to 1000\./],
      [alice, 'web staging --deployment 123', /^`123` is not a deployment id/],
      [alice, 'web staging --component Web_1', /^`Web_1` is not a component name/],
      [dave, 'web staging', /^You may not logs web staging\./],
      [carol, 'web production build', /^You may not logs web production\./],
    ];
    const before = sim.requests().length;
    for (const [user, text, expected] of cases) {
      const answer = await answerTo(world, await driver.command(user, dev, '/logs', text));
      expect(answer.text).toMatch(expected);
    }
    expect(sim.requests().length).toBe(before);
  });

  it('names the components when --component is wrong', async () => {
    const answer = await answerTo(
      world,
      await driver.command(alice, dev, '/logs', 'web staging --component api'),
    );
    expect(answer.text).toMatch(/has no component `api`\. Components: `web`, `worker`\.$/);
  });

  it('shows the log of a PRE_DEPLOY job run by the deployment (a migration)', async () => {
    const answer = await answerTo(world, await driver.command(alice, dev, '/logs', 'web staging job'));
    expect(answer.text).toMatch(/^Name the job with `--component <job>`/);
    const none = await answerTo(
      world,
      await driver.command(alice, dev, '/logs', 'web staging job --component migrate'),
    );
    expect(none.text).toMatch(/^Deployment [0-9a-f]{8} of web staging has no component `migrate`\./);

    const spec = structuredClone((await world.bot.do.getApp(STAGING)).spec);
    spec.jobs = [
      {
        name: 'migrate',
        kind: 'PRE_DEPLOY',
        image: { registry_type: 'GHCR', repository: 'acme/web', tag: 'v2' },
      },
    ];
    const before = sim.app(STAGING).active_deployment?.id;
    await world.bot.do.updateAppSpec(STAGING, spec);
    await waitFor(
      'the deployment with the job',
      () => {
        const app = sim.app(STAGING);
        return app.active_deployment?.id !== before && !app.in_progress_deployment && !app.pending_deployment;
      },
      8000,
    );
    const message = await logsMessage(alice, 'web staging job --component migrate');
    expect(message.text).toBe('web staging job migrate log');
    expect(header(message)[0]).toMatch(
      /log of job `migrate` · invocation `[0-9a-f]{8}` \(SUCCEEDED\) of active deployment/,
    );
    expect(shownLines(message).at(-1)).toMatch(/^migrate \S+ Applied 2 migrations in 0.4s$/);
  });

  it('is listed by /ops help for those who may read logs, and runs as /ops logs', async () => {
    const help = await answerTo(world, await driver.command(alice, dev, '/ops', 'help'));
    expect(readable(help.text)).toContain('`/logs <app> <env> [build|deploy|run|restarted|job]');
    expect(readable(help.text)).toContain('`/restart <app> <env> [component]`');
    const carolHelp = await answerTo(world, await driver.command(carol, dev, '/ops', 'help'));
    expect(carolHelp.text).not.toContain('/logs');
    const from = slack.messages.length;
    await driver.command(alice, dev, '/ops', 'logs erp staging deploy --lines 2');
    const message = await waitFor('the /ops logs answer', () =>
      slack.messages.slice(from).find((m) => m.text === 'erp staging DEPLOY log'),
    );
    expect(shownLines(message)).toHaveLength(2);
  });

  it('audits who read which log, without the text', async () => {
    const entries = await world.bot.audit.list({ app: 'web', limit: 100 });
    const read = entries.find(
      (e) => e.action === 'logs' && e.result === 'succeeded' && e.data?.grep === 'connection refused',
    );
    expect(read).toMatchObject({ actor: alice, env: 'staging', data: { type: 'RUN', lines: 2 } });
    expect(JSON.stringify(entries)).not.toContain('hunter2');
    expect(world.logs.join('')).not.toContain('hunter2');
    expect(world.logs.join('')).not.toContain('X-Amz-Signature');
  });
});

describe('a failed deployment explains itself in its message', async () => {
  const world = await testWorld();
  const { driver, slack, sim } = world;

  it('carries the failing step, the error lines of the build log, and a button for the full log', async () => {
    sim.failNextDeployment(STAGING, {
      phase: 'BUILDING',
      reason: { code: 'BuildJobExitNonZero', message: 'npm run build exited with code 1' },
    });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor(
      'the deployment to fail',
      () => slack.messages.slice(from).find((m) => m.text === 'Deploying web staging: failed'),
      8000,
    );
    // The explanation is in the thread; the button stays on the line in the channel.
    const text = readable(sectionTexts(await withThread(slack, message)));
    expect(text).toContain(
      '*Why it failed:* step `build / components / web` of component `web`: npm run build exited with code 1',
    );
    expect(text).toContain('Error lines:');
    expect(text).toMatch(/web \S+ npm ERR! command failed: npm run build/);
    expect(text).toMatch(
      /Last 8 lines of the BUILD log of component `web`:\n```web \S+ => Cloning repository/,
    );

    const before = slack.files.length;
    await click(driver, alice, message, 'Full log as a file');
    const file = await waitFor('the full log', () => slack.files[before]);
    expect(file.filename).toMatch(/^web-staging-build-web-[0-9a-f]{8}\.log$/);
    // A detail of this deployment: it goes in the line's thread, not the channel.
    expect(file.threadTs).toBe(message.ts);
    const log = fileText(file.content);
    expect(log.trimEnd().split('\n').at(-1)).toMatch(
      /ERROR: failed to build: npm run build exited with code 1$/,
    );
    expect(log).toMatch(/=> Cloning repository at [0-9a-f]{7}/);
  });

  it('says so when the log cannot be read, and still reports the failure', async () => {
    sim.failNextDeployment(STAGING, { phase: 'DEPLOYING' });
    sim.injectFault({
      route: 'GET /v2/apps/:id/deployments/:deploymentId/components/:component/logs',
      status: 404,
      count: 1,
    });
    const from = slack.messages.length;
    await driver.command(alice, dev, '/deploy', 'web staging');
    const message = await waitFor(
      'the deployment to fail',
      () => slack.messages.slice(from).find((m) => m.text === 'Deploying web staging: failed'),
      8000,
    );
    // The explanation is in the thread; the button stays on the line in the channel.
    const text = readable(sectionTexts(await withThread(slack, message)));
    expect(text).toContain('failed its health check on /health');
    expect(text).toMatch(
      /No log lines to show: Deployment [0-9a-f-]+ of app [0-9a-f-]+ was not found on DigitalOcean/,
    );
    expect(JSON.stringify(message.blocks)).not.toContain('Full log as a file');
  });
});
