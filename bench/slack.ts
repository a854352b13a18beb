import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../src/sandbox/config.js';
import { signRequest } from '../src/slack/signature.js';
import { NODE_FLAGS, percentile, rssOf, tsLoader } from './util.js';

export interface AckRun {
  p50: number;
  p99: number;
  non200: number;
  /** Started, before any request. */
  idleRssMb: number;
  /** Idle again after the warm-up. */
  warmRssMb: number;
  peakRssMb: number;
}

/** Starts bench/<name> with dockside's V8 flags and waits for its `READY <payload>` line. */
async function startChild(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const entry = fileURLToPath(
    new URL(`./${name}.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  );
  const child: ChildProcess = spawn(process.execPath, [...NODE_FLAGS, ...tsLoader(), entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /READY (.+)\n/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`${name} ${args.join(' ')} exited with ${code} before it was ready`)),
    );
  });
  return { child, ready };
}

/** Closed-loop load: `concurrency` senders until `total` requests; returns sorted ack latencies (ms). */
async function load(send: () => Promise<number>, total: number, concurrency: number) {
  const latencies: number[] = [];
  const slow: string[] = [];
  const t0 = performance.now();
  let non200 = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const started = performance.now();
        const status = await send();
        const took = performance.now() - started;
        latencies.push(took);
        if (took > 90) slow.push(`${Math.round(started - t0)}:${Math.round(took)}`);
        if (status !== 200) non200++;
      }
    }),
  );
  if (process.env.BENCH_DEBUG)
    console.log(
      `  ${total} requests in ${Math.round(performance.now() - t0)} ms; over 90 ms (start:ms): ${slow.join(' ')}`,
    );
  return { latencies: latencies.sort((a, b) => a - b), non200 };
}

/** A signed /deploy sender on a keep-alive agent (fetch costs the generator more CPU than it measures). */
function deploySender(port: number, secret: string, slackUrl: string, label: string, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let seq = 0;
  return () => {
    seq++;
    const body = new URLSearchParams({
      team_id: 'TBENCH',
      channel_id: SANDBOX_CHANNELS.dev,
      user_id: SANDBOX_USERS.alice,
      command: '/deploy',
      text: 'web staging',
      response_url: `${slackUrl}/response/${label}-${seq}`,
      trigger_id: `bench.${label}.${seq}`,
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    return new Promise<number>((resolve, reject) => {
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
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

async function measure(
  mode: 'bot' | 'bare',
  env: NodeJS.ProcessEnv,
  secret: string,
  slackUrl: string,
  total: number,
  concurrency: number,
): Promise<AckRun> {
  const { child, ready } = await startChild('slack-child', [mode], env);
  const pid = child.pid ?? 0;
  try {
    const send = deploySender(Number(ready), secret, slackUrl, mode, concurrency);
    await new Promise((r) => setTimeout(r, 1000));
    const idleRssMb = rssOf(pid).rssMb;
    await load(send, 300, concurrency); // warm-up at full concurrency: sockets, JIT, caches
    await new Promise((r) => setTimeout(r, 1500));
    const warmRssMb = rssOf(pid).rssMb;
    let peak = warmRssMb;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid).rssMb);
    }, 25);
    const { latencies, non200 } = await load(send, total, concurrency);
    await new Promise((r) => setTimeout(r, 1000)); // work after the ack (audit, DO, Slack) still runs
    clearInterval(sampler);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      non200,
      idleRssMb,
      warmRssMb,
      peakRssMb: Math.max(peak, rssOf(pid).rssMb),
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
  // Fake Slack and the DO simulator run in a third process, so serving the bot's calls
  // after each ack does not delay the load generator's clock.
  const services = await startChild('services-child', []);
  const urls = JSON.parse(services.ready) as { slackUrl: string; slackApiUrl: string; doUrl: string };
  const env = {
    BENCH_SIGNING_SECRET: secret,
    BENCH_SLACK_API_URL: urls.slackApiUrl,
    BENCH_DO_URL: urls.doUrl,
  };
  try {
    const bare = await measure('bare', env, secret, urls.slackUrl, total, concurrency);
    const bot = await measure('bot', env, secret, urls.slackUrl, total, concurrency);
    const ratio = bot.p99 / bare.p99;
    const fmt = (n: number) => n.toFixed(1);
    console.log(
      `\n/deploy ack latency, ${total} signed requests at concurrency ${concurrency} (node ${NODE_FLAGS.join(' ')})`,
    );
    console.log('             p50 ms   p99 ms   non-200   idle RSS MB   warm idle MB   peak RSS MB');
    for (const [name, r] of [
      ['bare Bolt', bare],
      ['dockside', bot],
    ] as const) {
      console.log(
        `${name.padEnd(12)} ${fmt(r.p50).padStart(6)}   ${fmt(r.p99).padStart(6)}   ${String(r.non200).padStart(7)}   ${fmt(r.idleRssMb).padStart(11)}   ${fmt(r.warmRssMb).padStart(12)}   ${fmt(r.peakRssMb).padStart(11)}`,
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
    services.child.kill('SIGKILL');
  }
}
