import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { startFakeSlack } from '../../src/sandbox/fake-slack.js';
import { scratchPg } from '../backup/helpers.js';
import { startFakeS3 } from '../helpers/fake-s3.js';
import { readAppSpec, readDockerfile, repoFile } from './spec-files.js';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the test's own redis-server accepts connections; fails naming it otherwise. */
async function redisReady(child: ChildProcess, port: number): Promise<void> {
  let failure: Error | undefined;
  child.once('error', (err) => {
    failure = new Error(`redis-server could not be started (${err.message}); install redis-server`);
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (failure) throw failure;
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw failure ?? new Error(`redis-server did not listen on 127.0.0.1:${port} within 10 s`);
}

/** The ${VAR}s a config uses (comments aside). */
const variablesOf = (text: string) =>
  [...text.replace(/(^|\s)#.*$/gm, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);

describe('the deploy path: Dockerfile and .do/app.yaml agree with the code', () => {
  const docker = readDockerfile();
  const spec = readAppSpec();
  const service = spec.services[0]!;
  const declared = new Map(service.envs.map((e) => [e.key, e]));

  it('serves /health on the port App Platform sends traffic and health checks to', () => {
    expect(Number(docker.env.PORT)).toBe(service.http_port);
    expect(docker.expose).toContain(service.http_port);
    expect(service.health_check?.http_path).toBe('/health');
    expect(docker.healthPath).toBe('/health');
    expect(service.dockerfile_path).toBe('Dockerfile');
  });

  it('routes only /slack/events to dockside, keeping the path (ingress rules, not routes)', () => {
    expect(service.routes).toBeUndefined();
    expect(spec.ingress?.rules).toEqual([
      {
        match: { path: { prefix: '/slack/events' } },
        component: { name: service.name, preserve_path_prefix: true },
      },
    ]);
  });

  it('runs one Slack mode: HTTP, as manifest.yml says, with its secret and without an app token', () => {
    const manifest = repoFile('manifest.yml');
    expect(declared.get('SLACK_MODE')?.value).toBe('http');
    expect(manifest).toMatch(/socket_mode_enabled: false/);
    expect(declared.get('SLACK_SIGNING_SECRET')?.type).toBe('SECRET');
    expect(declared.has('SLACK_APP_TOKEN')).toBe(false);
    for (const url of manifest.match(/(url|request_url): (\S+)/g) ?? [])
      expect(url).toMatch(/\/slack\/events$/);
    expect(manifest).not.toMatch(/users:read/);
  });

  it('declares every variable the example config uses, as a secret, and Spaces for backups', () => {
    for (const name of variablesOf(repoFile('dockside.example.yml'))) {
      expect(declared.get(name ?? '')?.type, `${name} in .do/app.yaml`).toBe('SECRET');
    }
    expect(declared.get('SPACES_KEY')?.type).toBe('SECRET');
    expect(declared.get('SPACES_SECRET')?.type).toBe('SECRET');
    expect(declared.get('DOCKSIDE_CONFIG_YAML')?.type).toBe('SECRET');
    expect(repoFile('dockside.example.yml')).toMatch(/destination:\n\s+type: s3\n/);
    // The image does not look for a config file that nothing puts there.
    expect(docker.env.DOCKSIDE_CONFIG).toBeUndefined();
    expect(declared.has('DOCKSIDE_CONFIG')).toBe(false);
  });

  describe('the built bot, started with exactly that environment', () => {
    let child: ChildProcess | undefined;
    let redis: ChildProcess | undefined;
    let appDir = '';
    const cleanups: Array<() => Promise<void> | void> = [];
    let output = '';

    beforeAll(async () => {
      // The image's files, as the runtime stage's COPY lines lay them out.
      appDir = mkdtempSync(path.join(tmpdir(), 'dockside-image-'));
      cleanups.push(() => rmSync(appDir, { recursive: true, force: true }));
      await run(process.execPath, [
        path.join(repo, 'node_modules/typescript/bin/tsc'),
        '-p',
        path.join(repo, 'tsconfig.build.json'),
        '--outDir',
        path.join(appDir, 'dist'),
      ]);
      for (const copy of docker.copies) {
        const dest = path.join(appDir, copy.dest === './' ? path.basename(copy.src) : copy.dest);
        if (copy.from === 'build' && copy.src === '/app/dist') continue; // built above
        if (copy.from === 'build' && copy.src === '/app/node_modules') {
          symlinkSync(path.join(repo, 'node_modules'), dest);
        } else {
          expect(copy.from, `COPY ${copy.src}`).toBeUndefined();
          cpSync(path.join(repo, copy.src), dest, { recursive: true });
        }
      }
    }, 240_000);

    afterAll(async () => {
      child?.kill('SIGKILL');
      redis?.kill('SIGKILL');
      for (const c of cleanups.reverse()) await c();
    });

    it('answers GET /health with 200', async () => {
      // dockside's own Redis (the ${redis.DATABASE_URL} binding), on a port of its own.
      const redisPort = await freePort();
      redis = spawn(
        'redis-server',
        ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await redisReady(redis, redisPort);
      const slack = await startFakeSlack();
      const sim = await startDoSimulator({ phaseDelayMs: 50 });
      const ids = sim.seedDemo();
      const s3 = await startFakeS3();
      const db = await scratchPg('deploy');
      cleanups.push(
        () => slack.close(),
        () => sim.close(),
        () => s3.close(),
      );
      const config = `
channels: { ops: C0OPS }
apps:
  web:
    environments:
      staging: { app_id: ${ids.apps.webStaging} }
      production: { app_id: ${ids.apps.webProduction} }
    promote: { from: staging, to: production }
databases:
  main: { engine: postgres, url: "\${MAIN_PG_READONLY_URL}", backup_url: "\${MAIN_PG_BACKUP_URL}", restore_target: scratch }
  scratch: { engine: postgres, url: "\${SCRATCH_PG_URL}" }
access:
  roles: { approver: { users: [U0BOB] } }
github: { token: "\${GITHUB_TOKEN}", api_url: ${sim.githubUrl} }
backups:
  destination: { type: s3, endpoint: ${s3.url}, region: fra1, bucket: dockside-test, force_path_style: true }
`;
      const port = await freePort();
      const testValues: Record<string, string> = {
        DOCKSIDE_CONFIG_YAML: config,
        // The fakes accept only their own tokens, as Slack and DigitalOcean accept only real ones.
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
        DIGITALOCEAN_TOKEN: sim.token,
        SPACES_KEY: 'test-key',
        SPACES_SECRET: randomBytes(16).toString('hex'),
        MAIN_PG_READONLY_URL: db.url,
        MAIN_PG_BACKUP_URL: db.url,
        SCRATCH_PG_URL: `${db.url}_scratch`,
        GITHUB_TOKEN: sim.githubToken,
      };
      const env: Record<string, string> = { ...docker.env };
      for (const e of service.envs) {
        if (e.type === 'SECRET') {
          const value = testValues[e.key];
          expect(value, `a test value for the secret ${e.key}`).toBeDefined();
          env[e.key] = value ?? '';
        } else if (e.value === `$${'{'}redis.DATABASE_URL}`) {
          env[e.key] = `redis://127.0.0.1:${redisPort}`;
        } else {
          expect(e.value, `${e.key} refers to nothing the test knows`).not.toMatch(/\$\{/);
          env[e.key] = e.value ?? '';
        }
      }
      // The only differences from App Platform: a free port instead of 8080, and the fakes.
      Object.assign(env, {
        PORT: String(port),
        PATH: process.env.PATH ?? '',
        SLACK_API_URL: slack.apiUrl,
        DIGITALOCEAN_API_URL: sim.url,
      });
      const [command, ...args] = docker.cmd;
      expect(command).toBe('node');
      child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (c: Buffer) => {
        output += c.toString();
      });
      child.stderr?.on('data', (c: Buffer) => {
        output += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('waiting'), 250))]);
        if (early !== 'waiting') throw new Error(`dockside exited (${String(early)}):\n${output}`);
        status = await fetch(`http://127.0.0.1:${port}/health`)
          .then((r) => r.status)
          .catch(() => 0);
      }
      expect(status, output).toBe(200);
      const body = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(body).toMatchObject({ status: 'ok', redis: 'ok', mode: 'http' });
      expect(output).not.toContain(testValues.SLACK_BOT_TOKEN);
      expect(output).not.toContain(testValues.SPACES_SECRET);
      expect(output).not.toContain(testValues.DIGITALOCEAN_TOKEN);
    }, 60_000);
  });
});
