import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import {
  SANDBOX_CHANNELS,
  SANDBOX_GITHUB_TOKEN,
  SANDBOX_USERS,
  sandboxConfigText,
} from '../../src/sandbox/config.js';
import { startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const alnum = (n: number) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

/**
 * A whole end-to-end run where every secret dockside is configured with, and tokens of
 * every shape it is not, come back inside DigitalOcean's and GitHub's error texts.
 * None of them may reach a log line, a Slack message or an audit entry.
 */
describe('secrets never leave the bot', async () => {
  const configured = {
    doToken: `dop_v1_${hex(32)}`,
    githubToken: `github_pat_${alnum(22)}_${alnum(59)}`,
    dbPassword: `pw-${hex(10)}`,
    spacesKey: `DO${alnum(18)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '7')}`,
    spacesSecret: alnum(43),
  };
  const unknown = {
    slackRefresh: `xoxe-1-${alnum(40)}`,
    slackRotating: `xoxe.xoxp-1-${alnum(40)}`,
    slackUser: `xoxp-${hex(6)}-${hex(6)}-${hex(16)}`,
    doOauth: `doo_v1_${hex(32)}`,
    doRefresh: `dor_v1_${hex(32)}`,
    githubClassic: `ghp_${alnum(36)}`,
    githubApp: `ghs_${alnum(36)}`,
    urlPassword: `https://deploy:${hex(8)}@registry.example.com/v2/`,
  };
  const sim = await startDoSimulator({
    phaseDelayMs: 20,
    token: configured.doToken,
    githubToken: configured.githubToken,
  });
  sim.seedDemo();
  afterAll(() => sim.close());
  const dbUrl = `postgres://dockside_nobody:${configured.dbPassword}@127.0.0.1:5432/dockside_no_such_db`;
  const world = await testWorld({
    sim,
    config: () =>
      parseConfig(
        `${sandboxConfigText({ githubApiUrl: sim.githubUrl }).replace(SANDBOX_GITHUB_TOKEN, configured.githubToken)}
databases:
  main: { engine: postgres, url: "${dbUrl}" }
backups:
  destination:
    type: s3
    endpoint: http://127.0.0.1:9
    bucket: dockside-backups
    access_key_id: ${configured.spacesKey}
    secret_access_key: ${configured.spacesSecret}
`,
        {},
      ),
  });
  const sent: Record<string, string> = {
    ...configured,
    ...unknown,
    slackBotToken: world.secrets.botToken,
    signingSecret: world.secrets.signingSecret,
  };
  const echo = `MARKER-echo ${Object.values(sent).join(' ')}`;
  // Looked for on its own too: the password inside the URL of another service.
  const secrets = { ...sent, urlPasswordOnly: unknown.urlPassword.split(':')[2]?.split('@')[0] ?? '' };

  it('redacts them from logs, Slack and the audit log through a failing deploy, promote and query', async () => {
    const { driver, slack } = world;
    // DigitalOcean fails a deploy, quoting everything back (reads are retried, so enough for all tries).
    sim.injectFault({
      route: 'POST /v2/apps/:id/deployments',
      status: 500,
      body: { id: 'server_error', message: echo },
    });
    const deploy = await driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web staging');
    const failed = await waitFor('the deploy to fail', () =>
      slack.ephemerals.find((e) => e.responseUrl === deploy.responseUrl && e.text.includes('MARKER-echo')),
    );
    expect(failed.text).toContain('[redacted]');
    // GitHub refuses the branch move, quoting everything back.
    sim.injectFault({
      route: 'PATCH /github/repos/:owner/:repo/git/refs/heads/:branch',
      status: 422,
      body: { message: echo, documentation_url: 'https://docs.github.com/rest' },
    });
    const before = approvalMessages(slack).length;
    await driver.command(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/promote', 'web');
    const approval = await newApproval(slack, before);
    await click(driver, SANDBOX_USERS.bob, approval, 'Approve');
    await waitFor(
      'the promotion to fail',
      () => approval.text === 'Approval failed: Promote web production',
      8000,
    );
    // A query on a database whose password is wrong.
    const query = await driver.command(SANDBOX_USERS.carol, SANDBOX_CHANNELS.dev, '/query', 'main select 1');
    await answerTo(world, query, 8000);

    const logs = world.logs.join('\n');
    const shown = JSON.stringify([slack.messages, slack.ephemerals, slack.files]);
    const audited = JSON.stringify(await world.bot.audit.list({ limit: 200 }));
    // The echoes did travel: the error texts reached the logs and Slack, redacted.
    expect(logs).toContain('MARKER-echo');
    expect(`${shown}${audited}`).toContain('MARKER-echo');
    expect(logs).toContain('[redacted]');
    const leaks = Object.entries(secrets).flatMap(([name, value]) =>
      [
        logs.includes(value) ? `${name} in the logs` : undefined,
        shown.includes(value) ? `${name} in Slack` : undefined,
        audited.includes(value) ? `${name} in the audit log` : undefined,
      ].filter(Boolean),
    );
    expect(leaks).toEqual([]);
  });
});
