import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../src/sandbox/config.js';
import { startDoSimulator } from '../src/sandbox/do-simulator.js';
import { startFakeSlack } from '../src/sandbox/fake-slack.js';
import { createSlackDriver } from '../src/sandbox/slack-driver.js';
import { signRequest } from '../src/slack/signature.js';
import { percentile, rssOf, tsLoader } from './util.js';

export interface AckRun {
  p50: number;
  p99: number;
  non200: number;
  idleRssMb: number;
  peakRssMb: number;
}

async function startChild(
  mode: 'bot' | 'bare',
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number }> {
  const entry = fileURLToPath(
    new URL(`./slack-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  );
  const child = spawn(process.execPath, [...tsLoader(), entry, mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${mode} exited with ${code} before it was ready`)));
  });
  return { child, port };
}

/** Sends `total` signed /deploy commands at `concurrency`, returning each ack latency in ms. */
async function load(send: () => Promise<{ status: number }>, total: number, concurrency: number) {
  const latencies: number[] = [];
  let non200 = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const started = performance.now();
        const res = await send();
        latencies.push(performance.now() - started);
        if (res.status !== 200) non200++;
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), non200 };
}

async function measure(
  mode: 'bot' | 'bare',
  env: NodeJS.ProcessEnv,
  secret: string,
  slack: Awaited<ReturnType<typeof startFakeSlack>>,
  total: number,
  concurrency: number,
): Promise<AckRun> {
  const { child, port } = await startChild(mode, env);
  try {
    const driver = createSlackDriver({ botUrl: `http://127.0.0.1:${port}`, signingSecret: secret, slack });
    // http.request on a keep-alive agent: fetch costs the load generator more CPU than the bot it measures.
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const send = () => {
      const body = driver.commandBody(SANDBOX_USERS.alice, SANDBOX_CHANNELS.dev, '/deploy', 'web staging');
      const ts = Math.floor(Date.now() / 1000);
      return new Promise<{ status: number }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/slack/events',
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              'x-slack-request-timestamp': String(ts),
              'x-slack-signature': signRequest(secret, ts, body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    };
    await load(send, 100, 10); // warm-up: JIT, connection pools, caches
    await new Promise((r) => setTimeout(r, 1500));
    const idleRssMb = rssOf(child.pid ?? 0).rssMb;
    let peak = idleRssMb;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(child.pid ?? 0).rssMb);
    }, 25);
    const { latencies, non200 } = await load(send, total, concurrency);
    await new Promise((r) => setTimeout(r, 1000)); // work after the ack (audit, DO, Slack) still runs
    clearInterval(sampler);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      non200,
      idleRssMb,
      peakRssMb: Math.max(peak, rssOf(child.pid ?? 0).rssMb),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Issue 2's bench: ack latency of dockside against a bare Bolt app on the same receiver. */
export async function benchSlack(options: { total?: number; concurrency?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 50;
  const secret = `bench-${randomBytes(8).toString('hex')}`;
  const slack = await startFakeSlack({});
  const sim = await startDoSimulator({ phaseDelayMs: 200 });
  sim.seedDemo();
  const env = { BENCH_SIGNING_SECRET: secret, BENCH_SLACK_API_URL: slack.apiUrl, BENCH_DO_URL: sim.url };
  try {
    const bare = await measure('bare', env, secret, slack, total, concurrency);
    const bot = await measure('bot', env, secret, slack, total, concurrency);
    const ratio = bot.p99 / bare.p99;
    const fmt = (n: number) => n.toFixed(1);
    console.log(`\n/deploy ack latency, ${total} signed requests at concurrency ${concurrency}`);
    console.log('             p50 ms   p99 ms   non-200   idle RSS MB   peak RSS MB');
    for (const [name, r] of [
      ['bare Bolt', bare],
      ['dockside', bot],
    ] as const) {
      console.log(
        `${name.padEnd(12)} ${fmt(r.p50).padStart(6)}   ${fmt(r.p99).padStart(6)}   ${String(r.non200).padStart(7)}   ${fmt(r.idleRssMb).padStart(11)}   ${fmt(r.peakRssMb).padStart(11)}`,
      );
    }
    const checks = [
      [`dockside p99 ${fmt(bot.p99)} ms < 100 ms`, bot.p99 < 100],
      [`p99 ratio dockside/bare ${ratio.toFixed(2)} <= 1.5`, ratio <= 1.5],
      [`dockside idle RSS ${fmt(bot.idleRssMb)} MB < 120 MB`, bot.idleRssMb < 120],
      ['every request acked with 200', bot.non200 === 0 && bare.non200 === 0],
    ] as const;
    for (const [text, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'} ${text}`);
    return { bare, bot, ratio, pass: checks.every(([, ok]) => ok) };
  } finally {
    await slack.close();
    await sim.close();
  }
}
