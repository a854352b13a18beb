import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSandbox } from '../../src/sandbox/run.js';

/** What `npm start` opens without Slack credentials, driven as a person would type. */
describe('the sandbox session', () => {
  it('deploys web staging to ACTIVE, then promotes with bob approving', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    const session = runSandbox({ input, output });
    const until = async (text: string, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!screen.includes(text)) {
        if (Date.now() > deadline)
          throw new Error(`the sandbox never showed "${text}":\n${screen.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('alice@#dev> ');
    input.write('/deploy web staging\n');
    await until('*Deploying web staging*: ACTIVE');
    input.write('/promote web\n');
    await until('Approval needed: Promote web production');
    const approve = /\[(\d+): Approve\]/.exec(
      screen.slice(screen.lastIndexOf('Approval needed: Promote web production')),
    );
    expect(approve).not.toBeNull();
    input.write(`as bob\nclick ${approve?.[1]}\n`);
    await until('Approval succeeded: Promote web production', 30_000);
    expect(screen).toContain('*Promoting to web production*: ACTIVE');
    input.write('quit\n');
    input.end();
    await session;
  }, 60_000);
});
