import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { startFakeSlack } from '../../src/sandbox/fake-slack.js';
import { PG_ADMIN } from '../backup/helpers.js';
import { REDIS_URL } from '../helpers/redis.js';

const run = promisify(execFile);
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;

async function check(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', cli, 'config', 'check', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}

function file(name: string, text: string): string {
  const p = path.join(tmpdir(), `dockside-${process.pid}-${name}.yml`);
  writeFileSync(p, text);
  return p;
}

const APP = '0b5e7c1d-2a3f-4b60-9c71-d2e3f4a5b6ff';

describe('dockside config check', () => {
  it('prints ten findings for a file with ten different mistakes, in one run, and exits 1', async () => {
    const bad = file(
      'ten',
      `channels: { ops: general }
apps:
  web:
    environments:
      staging: { app_id: web-staging, aproval: true }
    promote: { from: staging, to: prod }
databases:
  main: { engine: postgress, url: "\${MAIN_URL}" }
access:
  roles: { approver: { users: [U0BOB] } }
  grants:
    - { role: approvers, actions: [deploy], envs: [stagin] }
schedules:
  health_summary: { cron: "0 25 * * *", timezone: Europe/Berln }
`,
    );
    const { code, stdout } = await check([bad]);
    expect(code).toBe(1);
    const findings = stdout.split('\n').filter((l) => l.startsWith('  - '));
    expect(stdout.split('\n')[0]).toBe(`${bad}: 10 problems`);
    expect(findings).toHaveLength(10);
    expect(stdout).not.toMatch(/Invalid input|RangeError|\n\s+at /);
  });

  it('says so when the file is fine, and reads DOCKSIDE_CONFIG_YAML without a file argument', async () => {
    const text = `channels: { ops: C0OPS }\napps:\n  web: { environments: { staging: { app_id: ${APP} } } }\naccess:\n  roles: { approver: { users: [U0BOB] } }\n`;
    expect(await check([file('good', text)])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/no problems found/),
    });
    expect(await check([], { DOCKSIDE_CONFIG_YAML: text, DOCKSIDE_CONFIG: '/nonexistent.yml' })).toEqual({
      code: 0,
      stdout: 'DOCKSIDE_CONFIG_YAML: no problems found.\n',
    });
  });

  describe('--connect, against local fakes of Slack and DigitalOcean and the real Redis and PostgreSQL', async () => {
    const slack = await startFakeSlack({ usergroups: { S0LEADS: ['U0BOB'] } });
    const sim = await startDoSimulator({ phaseDelayMs: 50 });
    const ids = sim.seedDemo();
    afterAll(async () => {
      await slack.close();
      await sim.close();
    });

    it('reaches everything, then names what is wrong in words', async () => {
      const config = `channels: { ops: C0OPS }
apps:
  web: { environments: { staging: { app_id: ${ids.apps.webStaging} }, production: { app_id: ${APP} } } }
databases:
  main: { engine: postgres, url: "${PG_ADMIN}" }
access:
  roles: { approver: { usergroups: [S0LEADS] } }
`;
      slack.notInChannel.add('C0OPS');
      const { code, stdout } = await check(['--connect'], {
        DOCKSIDE_CONFIG_YAML: config,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'test-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        DIGITALOCEAN_TOKEN: sim.token,
        DIGITALOCEAN_API_URL: sim.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: `test:configcheck:${process.pid}:`,
      });
      expect(code).toBe(1);
      expect(stdout).toMatch(/ok {3}Redis: reached 127\.0\.0\.1:6379, and it accepts writes/);
      expect(stdout).toMatch(
        new RegExp(
          `ok {3}DigitalOcean GET /apps/${ids.apps.webStaging} \\(app web/staging\\): answers \\(app:read\\)`,
        ),
      );
      expect(stdout).toMatch(
        new RegExp(
          `FAIL DigitalOcean GET /apps/${APP} \\(app web/production\\): 404: no app ${APP} in the token's team`,
        ),
      );
      expect(stdout).toMatch(/WARN database main: Database "main": the configured user can write/);
      expect(stdout).toMatch(/ok {3}dumps of main: pg_dump .* can dump PostgreSQL \d+/);
      expect(stdout).toMatch(/ok {3}Slack auth\.test: the bot token works/);
      expect(stdout).toMatch(
        /FAIL ops channel C0OPS: the bot is not a member of #c0ops.*\n\s+-> Invite it: \/invite @dockside in #c0ops/,
      );
      expect(stdout).toMatch(/ok {3}user group S0LEADS: 1 members/);
      expect(stdout).not.toContain(slack.botToken);
      expect(stdout).not.toContain(sim.token);
    });
  });
});
