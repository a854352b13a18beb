import { createInterface } from 'node:readline';
import { sleep } from '../clock.js';
import { own } from '../own.js';
import { describePeople, SANDBOX_CHANNELS, SANDBOX_USERS } from './config.js';
import type { SandboxDroplets } from './droplet-env.js';
import { HOST_USAGE, hostCommand } from './droplet-repl.js';
import type { FakeEphemeral, FakeMessage, FakeView } from './fake-slack.js';
import { blocksToLines, type NumberedButton, numberButtons, postedToText } from './render-text.js';
import type { World } from './world.js';

type UserName = keyof typeof SANDBOX_USERS;
type ChannelName = keyof typeof SANDBOX_CHANNELS;

const PEOPLE = Object.keys(SANDBOX_USERS).join('|');

function help(people: string[]): string {
  return `Type commands as in Slack, for example:
  /deploy web staging        /deploy web production     /promote web
  /rollback web staging      /lock web production 2h    /audit @alice
  /health                    /query main tables         /ops help
  /logs web staging build    /logs web staging --grep error   /restart web production
  /health api                /deploy api staging        /promote api   (api: simulated Droplets)
  In /audit and /ops, @name and #channel become mentions, as Slack makes them.
Sandbox commands:
  as <${PEOPLE}>  act as another person:
${people.map((p) => `      ${p}`).join('\n')}
  in <dev|ops>               switch channel
  click <n>                  press button [n]
  reason <text>              answer an open dialog (e.g. why you reject)
  fail <app> <env>           make the next deployment of that env fail
  ${HOST_USAGE}
                             steer a simulated host of the Droplet app api
  errors <app> <env>         the next deployment of that env logs errors once live (web checks its runtime log)
  push <app> <env> [fail]    someone pushes a commit that App Platform deploys by itself
                             (deploy_on_push): dockside announces it in #ops (see \`announce\`)
  console <app> <env>        someone clicks "Deploy" in the DigitalOcean control panel
  config                     show the sandbox's dockside.yml
  wait <seconds>             pause (for scripts)
  help | quit`;
}

/**
 * The terminal session of the sandbox: what you type goes to the bot as a signed
 * Slack request; what the bot posts to the fake Slack is printed as text.
 */
export async function runRepl(
  world: World,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  options: { configText?: string; droplets?: SandboxDroplets } = {},
) {
  const HELP = help(describePeople(world.bot.config));
  const print = (text: string) => io.output.write(`${text}\n`);
  let user: UserName = 'alice';
  let channel: ChannelName = 'dev';
  let nextButton = 1;
  const buttons = new Map<number, { button: NumberedButton; message: FakeMessage }>();
  const shown = new Map<string, string>();
  let openView: FakeView | undefined;

  const show = (message: FakeMessage, label: string) => {
    const key = `${message.channel}:${message.ts}`;
    const signature = JSON.stringify(message.blocks) + message.text;
    if (shown.get(key) === signature) return;
    shown.set(key, signature);
    const where =
      message.channel === SANDBOX_CHANNELS.ops
        ? '#ops'
        : message.channel === SANDBOX_CHANNELS.dev
          ? '#dev'
          : message.channel;
    const posted = postedToText(message, where, label);
    print(`\n${posted.text}`);
    const numbered = numberButtons(message, nextButton);
    nextButton += numbered.length;
    for (const b of numbered) buttons.set(b.n, { button: b, message });
    if (numbered.length > 0) print(`${posted.indent}${numbered.map((b) => `[${b.n}: ${b.text}]`).join(' ')}`);
  };
  world.slack.events.on('message', (m: FakeMessage) => show(m, 'dockside: '));
  world.slack.events.on('update', (m: FakeMessage) => show(m, 'dockside (updated): '));
  world.slack.events.on('ephemeral', (e: FakeEphemeral) => {
    print(`\n(only you) ${blocksToLines(e).join('\n    ')}`);
    // A private answer's buttons (e.g. "Roll back to this") act in the channel it was asked in.
    const message: FakeMessage = {
      channel: e.channel ?? SANDBOX_CHANNELS[channel],
      ts: '0',
      text: e.text,
      blocks: e.blocks,
      updates: 0,
    };
    const numbered = numberButtons(e, nextButton);
    nextButton += numbered.length;
    for (const b of numbered) buttons.set(b.n, { button: b, message });
    if (numbered.length > 0) print(`    ${numbered.map((b) => `[${b.n}: ${b.text}]`).join(' ')}`);
  });
  world.slack.events.on('view', (view: FakeView) => {
    openView = view;
    const title = (view.title as { text?: string } | undefined)?.text ?? 'Dialog';
    print(`\n[dialog] ${title}: type \`reason <text>\` to submit it.`);
  });

  const prompt = () => `${user}@#${channel}> `;
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  print(HELP);
  io.output.write(prompt());
  for await (const raw of rl) {
    const line = raw.trim();
    const [word = '', ...rest] = line.split(/\s+/);
    try {
      if (line === '') {
        // nothing
      } else if (word === 'quit' || word === 'exit') {
        break;
      } else if (word === 'help') {
        print(HELP);
      } else if (word === 'as') {
        const name = (rest[0] ?? '').replace(/^@/, '');
        if (own<string>(SANDBOX_USERS, name)) user = name as UserName;
        else
          print(
            `There is no "${name}" in the sandbox. The people are:\n  ${describePeople(world.bot.config).join('\n  ')}`,
          );
      } else if (word === 'in') {
        const name = (rest[0] ?? '').replace(/^#/, '');
        if (own<string>(SANDBOX_CHANNELS, name)) channel = name as ChannelName;
        else
          print(`There is no channel "${name}" in the sandbox: ${Object.keys(SANDBOX_CHANNELS).join(', ')}.`);
      } else if (word === 'config') {
        print(options.configText ?? 'The config of this session was not given as text.');
      } else if (word === 'wait') {
        await sleep(Number(rest[0] ?? 1) * 1000);
      } else if (word === 'fail' && rest.length === 2) {
        const appId = appIdOf(world, rest[0] ?? '', rest[1] ?? '');
        if (!appId) print(`No app env "${rest.join(' ')}".`);
        else {
          world.sim.failNextDeployment(appId, {
            reason: { code: 'BuildJobExitNonZero', message: 'npm run build exited with code 1 (simulated)' },
          });
          print(`The next deployment of ${rest.join(' ')} will fail.`);
        }
      } else if (word === 'host') {
        print(options.droplets ? hostCommand(options.droplets, rest) : 'This session has no Droplet hosts.');
      } else if (word === 'errors' && rest.length === 2) {
        const appId = appIdOf(world, rest[0] ?? '', rest[1] ?? '');
        if (!appId) print(`No app env "${rest.join(' ')}".`);
        else {
          world.sim.runLinesAfterActive(
            appId,
            [
              'ERROR payment provider timed out after 30000ms',
              'Unhandled exception in /api/cart: TypeError: cannot read properties of undefined',
              'ERROR payment provider timed out after 30000ms',
              'FATAL: too many connections for role "app"',
            ],
            { delayMs: 2000 },
          );
          print(`The next deployment of ${rest.join(' ')} will log errors a moment after it goes live.`);
        }
      } else if ((word === 'push' || word === 'console') && (rest.length === 2 || rest[2] === 'fail')) {
        const appId = appIdOf(world, rest[0] ?? '', rest[1] ?? '');
        const target = `${rest[0] ?? ''} ${rest[1] ?? ''}`;
        if (!appId) print(`No App Platform env "${target}" (Droplet envs deploy only through dockside).`);
        else {
          const id = world.sim.startOutOfBand(appId, {
            via: word,
            author: word === 'push' ? 'Dana Dev' : 'Sam Ops',
            ...(word === 'push' ? { message: 'Tweak the landing page' } : { email: 'sam@example.com' }),
            ...(rest[2] === 'fail' ? { fail: true } : {}),
          });
          print(
            `${word === 'push' ? 'Dana pushed a commit' : 'Sam clicked Deploy in the control panel'}: deployment ${id.slice(0, 8)} of ${target} started outside dockside${rest[2] === 'fail' ? ' (it will fail)' : ''}.`,
          );
        }
      } else if (word === 'click') {
        const target = buttons.get(Number(rest[0]));
        if (!target) print(`No button [${rest[0] ?? ''}]. Buttons are numbered where they are shown.`);
        else await world.driver.click(SANDBOX_USERS[user], target.message, target.button);
      } else if (word === 'reason') {
        if (!openView) print('No dialog is open.');
        else {
          const view = openView;
          openView = undefined;
          await world.driver.submitView(SANDBOX_USERS[user], view, {
            reason: { reason: { type: 'plain_text_input', value: rest.join(' ') } },
          });
        }
      } else if (word.startsWith('/')) {
        const res = await world.driver.command(
          SANDBOX_USERS[user],
          SANDBOX_CHANNELS[channel],
          word,
          // As typed: the driver escapes it as Slack does for this command (should_escape).
          rest.join(' '),
        );
        if (res.status !== 200) print(`(Slack would show: the app did not respond, HTTP ${res.status})`);
      } else {
        print(`Unknown input "${word}". Type help.`);
      }
    } catch (err) {
      print(`sandbox error: ${(err as Error).message}`);
    }
    await sleep(150);
    io.output.write(prompt());
  }
  rl.close();
}

function appIdOf(world: World, app: string, env: string): string | undefined {
  const appConfig = own(world.bot.config.apps, app);
  return appConfig ? own(appConfig.environments, env)?.app_id : undefined;
}
