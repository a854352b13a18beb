import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSandbox } from '../../src/sandbox/run.js';
import { slackCommandText } from '../../src/sandbox/slack-driver.js';

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
    // One line that moves to ACTIVE (then verifies for the sandbox's window); the details are
    // thread replies, printed indented under it.
    await until('*Deploying web staging*: ACTIVE');
    await until('      ↳ dockside: ⏳ Verifying: runtime errors');
    expect(screen).toMatch(/\n {6}↳ dockside: Requested by @alice · deployment [0-9a-f]{8} \(https:/);
    expect(screen).toMatch(/\n {6}↳ dockside: ⏳ BUILDING after /);
    input.write('/promote web\n');
    await until('Approval needed: Promote web production');
    const approve = /\[(\d+): Approve\]/.exec(
      screen.slice(screen.lastIndexOf('Approval needed: Promote web production')),
    );
    expect(approve).not.toBeNull();
    input.write(`as bob\nclick ${approve?.[1]}\n`);
    await until('Approval succeeded: Promote web production', 30_000);
    await until('✅ *Promoted to web production*: live');
    input.write('quit\n');
    input.end();
    await session;
  }, 60_000);

  it('works as its own help says: people, config, @mentions, bare lock durations, a dump restore target', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    const session = runSandbox({ input, output });
    const until = async (text: string, after = 0, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!screen.slice(after).includes(text)) {
        if (Date.now() > deadline)
          throw new Error(`the sandbox never showed "${text}":\n${screen.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('alice@#dev> ');
    // The help's people are the config's: alice deploys and queries, bob approves, dave has no role.
    expect(screen).toContain(
      'alice: deployer, analyst (deploy, promote, rollback, query, backup, restore, lock, audit, logs, restart)',
    );
    expect(screen).toMatch(/bob: approver \(deploy, .*, audit, logs, restart, approves requests\)/);
    expect(screen).toContain('dave: no role');

    let mark = screen.length;
    input.write('as eve\n');
    await until('There is no "eve" in the sandbox. The people are:', mark);
    expect(screen.slice(mark)).toContain('carol: analyst (query, audit)');
    input.write('as constructor\n');
    await until('There is no "constructor" in the sandbox', mark);

    mark = screen.length;
    input.write('config\n');
    await until('approvals:', mark);
    expect(screen.slice(mark)).toContain('channels:');
    expect(screen.slice(mark)).toContain('restore_target: scratch');

    mark = screen.length;
    input.write('/lock web production 2h release freeze\n');
    await until('locked web production for 2 h: release freeze.', mark);

    mark = screen.length;
    input.write('/audit @alice --limit 3\n');
    await until('audit entries for @alice', mark);
    input.write('/unlock web production\nquit\n');
    input.end();
    await session;
  }, 60_000);
});

describe('command text as the driver sends it for a command with should_escape', () => {
  it('turns @name and #channel into mentions as Slack sends them, leaving unknown names as typed', () => {
    expect(slackCommandText('@carol look at #ops, not @eve or a@b.c', true)).toBe(
      '<@U0CAROL|carol> look at <#C0OPS|ops>, not @eve or a@b.c',
    );
    expect(slackCommandText('@constructor #toString', true)).toBe('@constructor #toString');
  });
});
