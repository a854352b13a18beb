import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppOpsClient } from '../../src/do/app-ops.js';
import { routeTemplate } from '../../src/do/route.js';
import { APP, failure, HOST, NOW, TOKEN } from '../do/helpers.js';

function client() {
  const calls: string[] = [];
  const ops = createAppOpsClient({
    token: TOKEN,
    endpoint: `${HOST}/v2`,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    sleep: async () => undefined,
    clock: { now: () => NOW },
    onCall: (c) => calls.push(`${c.method} ${c.route} ${c.status}`),
  });
  return { ops, calls };
}

/** A log archive on this machine: serves `text`, honouring a suffix Range unless told not to. */
async function archive(text: string, options: { ranges?: boolean; status?: number } = {}) {
  const seen: IncomingHttpHeaders[] = [];
  const body = Buffer.from(text);
  const server = createServer((req, res) => {
    seen.push(req.headers);
    if (options.status) {
      res.writeHead(options.status).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    const suffix = /^bytes=-(\d+)$/.exec(req.headers.range ?? '');
    if (options.ranges !== false && suffix) {
      const n = Math.min(Number(suffix[1]), body.length);
      res.writeHead(206, { 'content-range': `bytes ${body.length - n}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(body.length - n));
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/archive/build.log?X-Amz-Signature=abc`;
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { url, seen };
}

describe('App Platform logs, job invocations, restart and propose', () => {
  it.each([
    [{ deploymentId: 'dep-1', component: 'web' }, `/v2/apps/${APP}/deployments/dep-1/components/web/logs`],
    [{ deploymentId: 'dep-1' }, `/v2/apps/${APP}/deployments/dep-1/logs`],
    [{ component: 'web' }, `/v2/apps/${APP}/components/web/logs`],
    [{}, `/v2/apps/${APP}/logs`],
  ])('asks the logs endpoint that fits %o', async (where, path) => {
    nock(HOST)
      .get(path)
      .query({ type: 'BUILD', follow: 'false', pod_connection_timeout: '5s', tail_lines: '40' })
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, { live_url: 'wss://logs.example/live', historic_urls: ['https://logs.example/a.log', ''] });
    const links = await client().ops.getLogLinks({ appId: APP, type: 'BUILD', tailLines: 40, ...where });
    expect(links).toEqual({
      liveUrl: 'wss://logs.example/live',
      historicUrls: ['https://logs.example/a.log'],
    });
  });

  it('names the missing deployment on a 404', async () => {
    nock(HOST).get(`/v2/apps/${APP}/deployments/dep-9/logs`).query(true).reply(404, { id: 'not_found' });
    const err = await failure(
      client().ops.getLogLinks({ appId: APP, deploymentId: 'dep-9', type: 'DEPLOY' }),
    );
    expect(err.code).toBe('do_not_found');
    expect(err.message).toBe(`Deployment dep-9 of app ${APP} was not found on DigitalOcean`);
  });

  it('lists job invocations of some jobs of a deployment, with form-style job_names', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}/job-invocations?deployment_id=dep-1&job_names=migrate&job_names=seed&per_page=50`)
      .reply(200, {
        job_invocations: [
          {
            id: 'inv-1',
            job_name: 'migrate',
            deployment_id: 'dep-1',
            phase: 'FAILED',
            trigger: { type: 'UNKNOWN' },
            created_at: '2026-11-20T09:00:00Z',
            completed_at: '2026-11-20T09:01:00Z',
          },
          { id: 'inv-2', job_name: 'seed', phase: 'SOMETHING_NEW' },
        ],
        links: {},
        meta: { total: 2 },
      });
    const list = await client().ops.listJobInvocations(APP, {
      deploymentId: 'dep-1',
      jobNames: ['migrate', 'seed'],
    });
    expect(list).toEqual([
      {
        id: 'inv-1',
        jobName: 'migrate',
        deploymentId: 'dep-1',
        phase: 'FAILED',
        trigger: 'UNKNOWN',
        createdAt: '2026-11-20T09:00:00Z',
        completedAt: '2026-11-20T09:01:00Z',
      },
      { id: 'inv-2', jobName: 'seed', phase: 'UNKNOWN', trigger: 'UNKNOWN' },
    ]);
  });

  it('reads the log links of one job invocation', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}/jobs/migrate/invocations/inv-1/logs`)
      .query({ type: 'JOB_INVOCATION', follow: 'false', tail_lines: '100' })
      .reply(200, { historic_urls: ['https://logs.example/migrate.log'] });
    const links = await client().ops.getJobInvocationLogLinks(APP, 'migrate', 'inv-1', { tailLines: 100 });
    expect(links.historicUrls).toEqual(['https://logs.example/migrate.log']);
  });

  it('restarts the named components once, even when DigitalOcean answers 500', async () => {
    let posts = 0;
    let sent: unknown;
    nock(HOST)
      .persist()
      .post(`/v2/apps/${APP}/restart`, (body) => {
        sent = body;
        return true;
      })
      .reply(() => {
        posts += 1;
        return [500, { id: 'server_error', message: 'oops' }];
      });
    const { ops, calls } = client();
    const err = await failure(ops.restart(APP, ['web']));
    expect(err.message).toBe(`DigitalOcean could not restart web of app ${APP} (HTTP 500): oops`);
    expect(posts).toBe(1);
    expect(sent).toEqual({ components: ['web'] });
    expect(calls).toEqual(['POST /v2/apps/:id/restart 500']);
    nock.cleanAll();
  });

  it('restarts every component with an empty body and returns the deployment it created', async () => {
    nock(HOST)
      .post(`/v2/apps/${APP}/restart`, {})
      .reply(200, { deployment: { id: 'dep-r', phase: 'PENDING_DEPLOY', cause: 'app restart' } });
    const dep = await client().ops.restart(APP);
    expect(dep).toMatchObject({ id: 'dep-r', phase: 'PENDING_DEPLOY', cause: 'app restart' });
  });

  it('prices a spec update with propose, labelled as its own route in metrics', async () => {
    const spec = { name: 'web-production', services: [{ name: 'web', instance_count: 2 }] };
    nock(HOST)
      .post('/v2/apps/propose', { spec, app_id: APP })
      .reply(200, { app_name_available: true, app_cost: 24, app_is_static: false, spec });
    const { ops, calls } = client();
    expect(await ops.propose(spec, APP)).toEqual({ appCost: 24, appIsStatic: false });
    expect(calls).toEqual(['POST /v2/apps/propose 200']);
  });

  it.each([
    ['/v2/apps/propose', '/v2/apps/propose'],
    ['/v2/apps/a1/job-invocations/inv-1', '/v2/apps/:id/job-invocations/:invocationId'],
    [
      '/v2/apps/a1/jobs/migrate/invocations/inv-1/logs',
      '/v2/apps/:id/jobs/:job/invocations/:invocationId/logs',
    ],
    [
      '/v2/apps/a1/deployments/d1/components/web/logs',
      '/v2/apps/:id/deployments/:deploymentId/components/:component/logs',
    ],
    ['/v2/apps/a1/restart', '/v2/apps/:id/restart'],
  ])('keeps ids out of the route label of %s', (path, route) => {
    expect(routeTemplate(path)).toBe(route);
  });
});

describe('reading archived log text', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i + 1} ${'x'.repeat(20)}`);
  const text = `${lines.join('\n')}\n`;

  it('asks for the end only, without the API token, and drops the cut first line', async () => {
    const server = await archive(text);
    const log = await client().ops.readLog({ historicUrls: [server.url] }, { maxBytes: 1000 });
    expect(server.seen[0]?.authorization).toBeUndefined();
    expect(server.seen[0]?.range).toBe('bytes=-1000');
    expect(log.truncated).toBe(true);
    expect(log.bytes).toBe(1000);
    const got = log.text.trimEnd().split('\n');
    expect(got.at(-1)).toBe(lines.at(-1));
    expect(got[0]).toMatch(/^line \d+ x{20}$/);
    expect(text.endsWith(log.text)).toBe(true);
  });

  it('keeps only the end of an archive that ignores Range', async () => {
    const server = await archive(text, { ranges: false });
    const log = await client().ops.readLog({ historicUrls: [server.url] }, { maxBytes: 2000 });
    expect(log.truncated).toBe(true);
    expect(log.text.length).toBeLessThanOrEqual(2000);
    expect(text.endsWith(log.text)).toBe(true);
  });

  it('says the newest lines may be missing when an archive is cut off by the time limit', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200);
      res.write('first\nsecond\n'); // and the rest never comes
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const ops = createAppOpsClient({ token: TOKEN, endpoint: `${HOST}/v2`, logs: { timeoutMs: 300 } });
    const log = await ops.readLog({ historicUrls: [`http://127.0.0.1:${port}/slow.log`] });
    expect(log).toMatchObject({ text: 'first\nsecond\n', endMissing: true, source: 'historic' });
    server.closeAllConnections();
    server.close();
  });

  it('reads a small archive whole', async () => {
    const server = await archive('one\ntwo\n');
    const log = await client().ops.readLog({ historicUrls: [server.url] });
    expect(log).toEqual({ text: 'one\ntwo\n', bytes: 8, truncated: false, source: 'historic' });
  });

  it('says the link expired, without showing it, when the archive refuses', async () => {
    const server = await archive(text, { status: 403 });
    const err = await failure(client().ops.readLog({ historicUrls: [server.url] }));
    expect(err.message).toBe("DigitalOcean's log archive answered HTTP 403; the link may have expired.");
    expect(err.message).not.toContain('X-Amz');
  });

  it('follows no plain-http link off this machine and no websocket', async () => {
    const { ops } = client();
    expect((await failure(ops.readLog({ historicUrls: ['http://logs.example/a.log'] }))).message).toBe(
      'DigitalOcean sent a log link dockside does not follow.',
    );
    const live = await failure(ops.readLog({ liveUrl: 'wss://logs.example/live', historicUrls: [] }));
    expect(live.code).toBe('not_available');
  });

  it('reads a live stream that never ends for a moment, and keeps what arrived', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('web 2026-11-30T09:00:00Z GET /health 200\n');
      res.write('web 2026-11-30T09:00:01Z GET /api 200\n'); // and then nothing, never ending
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const ops = createAppOpsClient({ token: TOKEN, endpoint: `${HOST}/v2`, logs: { timeoutMs: 300 } });
    const started = Date.now();
    const log = await ops.readLog({ liveUrl: `http://127.0.0.1:${port}/live?token=t`, historicUrls: [] });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(log).toMatchObject({ source: 'live', truncated: false });
    expect(log.text.split('\n').filter(Boolean)).toHaveLength(2);
    server.closeAllConnections();
    server.close();
  });

  it('answers an empty text when DigitalOcean has no links', async () => {
    expect(await client().ops.readLog({ historicUrls: [] })).toEqual({
      text: '',
      bytes: 0,
      truncated: false,
      source: 'none',
    });
  });
});
