import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const main = new URL('../../src/main.ts', import.meta.url).pathname;

describe('start-up with NODE_ENV=production', () => {
  it('exits non-zero naming every missing or invalid setting at once, secrets not echoed', async () => {
    const file = path.join(tmpdir(), `dockside-bad-${process.pid}.yml`);
    writeFileSync(
      file,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'channels: { ops: general }\ndatabases:\n  main: { engine: postgres, url: "${MAIN_URL}" }\n',
    );
    const result = await run(process.execPath, ['--import', 'tsx', main], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DOCKSIDE_CONFIG: file,
        SLACK_BOT_TOKEN: 'xoxp-user-token-123456',
      },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    const stderr = (result as { stderr: string }).stderr;
    expect(stderr).toContain('SLACK_BOT_TOKEN: must be a bot token starting with xoxb-');
    expect(stderr).toContain('SLACK_SIGNING_SECRET: is not set');
    expect(stderr).toContain('DIGITALOCEAN_TOKEN: is not set');
    expect(stderr).toContain('channels.ops: a Slack channel id such as C0123456789');
    expect(stderr).toContain('databases.main.url: environment variable MAIN_URL is not set');
    expect(stderr).not.toContain('xoxp-user-token-123456');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
