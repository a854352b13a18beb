import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const main = new URL('../../src/main.ts', import.meta.url).pathname;

async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
}

describe('start-up with NODE_ENV=production', () => {
  it('exits non-zero naming every missing or invalid setting at once, secrets not echoed', async () => {
    const file = path.join(tmpdir(), `dockside-bad-${process.pid}.yml`);
    writeFileSync(
      file,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'channels: { ops: general }\ndatabases:\n  main: { engine: postgres, url: "${MAIN_URL}" }\n',
    );
    const result = await start({ DOCKSIDE_CONFIG: file, SLACK_BOT_TOKEN: 'xoxp-user-token-123456' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN: must be a bot token starting with xoxb-');
    expect(result.stderr).toContain('SLACK_SIGNING_SECRET: is not set, and HTTP mode needs it');
    expect(result.stderr).toContain('DIGITALOCEAN_TOKEN: is not set');
    expect(result.stderr).toContain(
      'channels.ops: is "general"; it must be a Slack channel id such as C0123456789',
    );
    expect(result.stderr).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'databases.main.url: uses ${MAIN_URL}, which is not set in the environment',
    );
    expect(result.stderr).not.toContain('xoxp-user-token-123456');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reads the config from DOCKSIDE_CONFIG_YAML and refuses template secrets and a mode without its token', async () => {
    const result = await start({
      DOCKSIDE_CONFIG: '/nonexistent/dockside.yml',
      DOCKSIDE_CONFIG_YAML:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
        'channels: { ops: C0OPS }\ndatabases:\n  main: { engine: postgres, url: "${DB_URL}" }\n',
      DB_URL: 'postgresql://ro:change-me@db:25060/defaultdb',
      SLACK_BOT_TOKEN: 'xoxb-change-me',
      SLACK_MODE: 'socket',
      SLACK_SIGNING_SECRET: 'change-me',
      DIGITALOCEAN_TOKEN: 'dop_v1_change-me',
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ {2}- SLACK_APP_TOKEN: is not set, and Socket Mode \(SLACK_MODE=socket\) needs it/,
        ),
        expect.stringMatching(/^ {2}- SLACK_BOT_TOKEN: still holds a template value/),
        expect.stringMatching(/^ {2}- SLACK_SIGNING_SECRET: still holds a template value/),
        expect.stringMatching(/^ {2}- DIGITALOCEAN_TOKEN: still holds a template value/),
        expect.stringMatching(/^ {2}- DB_URL: still holds a template value/),
      ]),
    );
    // The config came from the variable, not from the missing file.
    expect(result.stderr).not.toContain('/nonexistent/dockside.yml');
    expect(result.stderr).not.toContain('xoxb-change-me');
  });
});
