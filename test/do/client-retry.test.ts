import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { APP, countingRoute, deploymentBody, failure, HOST, NOW, setup } from './helpers.js';

describe('DoClient retries', () => {
  it('retries a read after a 429 for as long as retry-after says, and reports each attempt', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}/deployments`)
      .query(true)
      .reply(429, { id: 'too_many_requests' }, { 'retry-after': '2' })
      .get(`/v2/apps/${APP}/deployments`)
      .query({ page: 1, per_page: 5 })
      .reply(200, { deployments: [deploymentBody()] });
    const { client, delays, calls } = setup();
    const deployments = await client.listDeployments(APP, { perPage: 5 });
    expect(deployments).toHaveLength(1);
    expect(delays).toEqual([2000]);
    expect(calls.map((c) => [c.method, c.route, c.status])).toEqual([
      ['GET', '/v2/apps/:id/deployments', 429],
      ['GET', '/v2/apps/:id/deployments', 200],
    ]);
  });

  it('waits until ratelimit-reset when a 429 has no retry-after', async () => {
    nock(HOST)
      .get('/v2/databases/db-1/backups')
      .query(true)
      .reply(429, { id: 'too_many_requests' }, { 'ratelimit-reset': String(NOW / 1000 + 7) })
      .get('/v2/databases/db-1/backups')
      .query(true)
      .reply(200, { backups: [{ created_at: '2026-11-19T03:00:00Z', size_gigabytes: 0.4 }] });
    const { client, delays } = setup();
    expect(await client.listDatabaseBackups('db-1')).toEqual([
      { createdAt: '2026-11-19T03:00:00Z', sizeGigabytes: 0.4 },
    ]);
    expect(delays).toEqual([7000]);
  });

  it('retries 503s and network errors on reads with growing backoff', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}`)
      .reply(503, { id: 'service_unavailable', message: 'try later' })
      .get(`/v2/apps/${APP}`)
      .replyWithError('socket hang up')
      .get(`/v2/apps/${APP}`)
      .reply(200, { app: { id: APP, spec: { name: 'web' } } });
    const { client, delays, calls } = setup();
    expect((await client.getApp(APP)).name).toBe('web');
    // random() = 0 gives the lower half of each ceiling: 100 ms, then 200 ms.
    expect(delays).toEqual([50, 100]);
    expect(calls.map((c) => c.status)).toEqual([503, 'error', 200]);
  });

  it('gives up after the configured retries with do_rate_limited saying when to try again', async () => {
    const seen = { count: 0 };
    nock(HOST)
      .persist()
      .get(`/v2/apps/${APP}`)
      .reply(() => {
        seen.count += 1;
        return [429, { id: 'too_many_requests' }, { 'retry-after': '30' }];
      });
    const err = await failure(setup().client.getApp(APP));
    expect(seen.count).toBe(4);
    expect(err.code).toBe('do_rate_limited');
    expect(err.hint).toBe('Try again in 30 seconds.');
  });

  it('does not sit out an hourly rate limit: one request, then tells the user', async () => {
    const seen = { count: 0 };
    nock(HOST)
      .persist()
      .get(`/v2/apps/${APP}`)
      .reply(() => {
        seen.count += 1;
        return [429, { id: 'too_many_requests' }, { 'ratelimit-reset': String(NOW / 1000 + 3600) }];
      });
    const { client, delays } = setup();
    const err = await failure(client.getApp(APP));
    expect(seen.count).toBe(1);
    expect(delays).toEqual([]);
    expect(err.code).toBe('do_rate_limited');
    expect(err.hint).toBe('Try again in about 60 minutes.');
  });

  it.each([
    [
      'create deployment',
      'post',
      `/v2/apps/${APP}/deployments`,
      (c: ReturnType<typeof setup>['client']) => c.createDeployment(APP),
    ],
    [
      'rollback',
      'post',
      `/v2/apps/${APP}/rollback`,
      (c: ReturnType<typeof setup>['client']) => c.rollback(APP, 'dep-1'),
    ],
    [
      'revert',
      'post',
      `/v2/apps/${APP}/rollback/revert`,
      (c: ReturnType<typeof setup>['client']) => c.revertRollback(APP),
    ],
    [
      'cancel',
      'post',
      `/v2/apps/${APP}/deployments/dep-1/cancel`,
      (c: ReturnType<typeof setup>['client']) => c.cancelDeployment(APP, 'dep-1'),
    ],
    [
      'spec update',
      'put',
      `/v2/apps/${APP}`,
      (c: ReturnType<typeof setup>['client']) => c.updateAppSpec(APP, { name: 'web' }),
    ],
  ] as const)('never re-sends %s after a 503', async (_name, method, path, run) => {
    const seen = countingRoute(method, path, 503, {
      id: 'service_unavailable',
      message: 'upstream timed out',
    });
    const { client, delays } = setup();
    const err = await failure(run(client));
    expect(seen.count).toBe(1);
    expect(delays).toEqual([]);
    expect(err.code).toBe('do_api_failed');
    expect(err.message).toContain('upstream timed out');
  });

  it('never re-sends a restore after a 503 or a 429', async () => {
    nock(HOST)
      .get('/v2/databases/db-1')
      .reply(200, {
        database: { id: 'db-1', name: 'main-pg', engine: 'pg', region: 'fra1', size: 's', num_nodes: 1 },
      });
    const seen = countingRoute('post', '/v2/databases', 429, { id: 'too_many_requests' });
    const err = await failure(
      setup().client.restoreDatabaseBackup({
        sourceClusterId: 'db-1',
        newClusterName: 'x',
        backupCreatedAt: 't',
      }),
    );
    expect(seen.count).toBe(1);
    expect(err.code).toBe('do_rate_limited');
  });

  it('does not re-send a deployment whose connection dropped (it may have been created)', async () => {
    nock(HOST).post(`/v2/apps/${APP}/deployments`).replyWithError('socket hang up');
    const { client, calls, delays } = setup();
    const err = await failure(client.createDeployment(APP));
    expect(calls.map((c) => c.status)).toEqual(['error']);
    expect(delays).toEqual([]);
    expect(err.code).toBe('do_api_failed');
    expect(err.message).toContain('Could not reach DigitalOcean');
  });

  it('does not re-send a rollback that timed out', async () => {
    let count = 0;
    nock(HOST)
      .persist()
      .post(`/v2/apps/${APP}/rollback`)
      .delay(300)
      .reply(() => {
        count += 1;
        return [200, { deployment: deploymentBody() }];
      });
    const err = await failure(setup({ timeoutMs: 50 }).client.rollback(APP, 'dep-1'));
    expect(count).toBe(1);
    expect(err.message).toContain('timed out');
  });
});
