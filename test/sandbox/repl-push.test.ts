import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSandbox } from '../../src/sandbox/run.js';

describe('the sandbox session, for deployments dockside did not start', () => {
  it('`push web staging fail` shows the failure announced in #ops with its log excerpt', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    const session = runSandbox({ input, output });
    const until = async (text: string, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!screen.includes(text)) {
        if (Date.now() > deadline)
          throw new Error(`the sandbox never showed "${text}":\n${screen.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('alice@#dev> ');
    expect(screen).toContain('push <app> <env> [fail]');
    input.write('push web staging fail\n');
    await until('Dana pushed a commit: deployment');
    // The channel line, then its thread with who pushed what and why it failed.
    await until('*Deployment outside dockside of web staging*');
    await until('The buttons are on the message at the top of this thread.');
    const shown = screen.slice(screen.indexOf('*Deployment outside dockside of web staging*'));
    expect(shown).toContain('Not started by dockside');
    expect(shown).toContain('Started by a git push of');
    expect(shown).toContain('by Dana Dev to `main` (acme/web)');
    expect(shown).toMatch(/Why it failed/);
    expect(shown).toMatch(/Full log as a file/);
    input.write('quit\n');
    input.end();
    await session;
  }, 60_000);
});
