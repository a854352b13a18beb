import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { createSlackDriver, type SlackDriver } from '../../../src/sandbox/slack-driver.js';
import type { World } from '../../../src/sandbox/world.js';

const ENTRY = path.join(import.meta.dirname, 'bot-process.ts');

export interface BotProcess {
  child: ChildProcess;
  port: number;
  driver: SlackDriver;
  /** Everything the process wrote (pino JSON lines). */
  output: () => string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** A replica of `world`'s bot in its own process (same Redis keys, Slack and DigitalOcean). */
export async function spawnBotProcess(
  world: World,
  options: {
    replicaId: string;
    slackApiUrl?: string;
    doApiUrl?: string;
    redisUrl?: string;
    env?: Record<string, string>;
    /** The world's config, when it is not the sandbox's (Droplet envs); sent as JSON. */
    config?: Config;
  },
): Promise<BotProcess> {
  const settings = {
    signingSecret: world.secrets.signingSecret,
    botToken: world.secrets.botToken,
    doToken: world.sim.token,
    slackApiUrl: options.slackApiUrl ?? world.slack.apiUrl,
    doApiUrl: options.doApiUrl ?? world.sim.url,
    githubApiUrl: world.sim.githubUrl,
    redisUrl: options.redisUrl ?? 'redis://127.0.0.1:6379',
    redisKeyPrefix: world.redisKeyPrefix,
    replicaId: options.replicaId,
    ...(options.config ? { config: options.config } : {}),
  };
  // node itself, not the tsx CLI: the CLI runs the script in a child of its own, which a
  // SIGKILL of the CLI would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { ...process.env, ...options.env, FAULT_BOT: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot process did not start:\n${out}`)), 20_000);
    child.stdout?.on('data', () => {
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`bot process exited:\n${out}`)));
  });
  return {
    child,
    port,
    driver: createSlackDriver({
      botUrl: `http://127.0.0.1:${port}`,
      signingSecret: world.secrets.signingSecret,
      slack: world.slack,
    }),
    output: () => out,
    exited,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
