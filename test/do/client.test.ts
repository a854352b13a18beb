import { Writable } from 'node:stream';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { APP, deploymentBody, failure, HOST, setup, TOKEN } from './helpers.js';

describe('DoClient mapping', () => {
  it('maps the app with its deployments, commits and the spec exactly as DO sent it', async () => {
    const spec = {
      name: 'web-staging',
      region: 'fra',
      services: [
        { name: 'web', github: { repo: 'acme/web', branch: 'main' }, envs: [{ key: 'A', value: 'b' }] },
      ],
      workers: [{ name: 'worker', image: { registry_type: 'GHCR', repository: 'w', digest: 'sha256:abc' } }],
      ingress: { rules: [{ match: { path: { prefix: '/' } } }] },
    };
    nock(HOST)
      .get(`/v2/apps/${APP}`)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, {
        app: {
          id: APP,
          spec,
          live_url: 'https://web.example.com',
          active_deployment: deploymentBody(),
          pinned_deployment: deploymentBody({ id: 'dep-2', phase: 'SOMETHING_NEW' }),
        },
      });
    const { client } = setup();
    const app = await client.getApp(APP);
    expect(app.name).toBe('web-staging');
    expect(app.spec).toEqual(spec);
    expect(app.liveUrl).toBe('https://web.example.com');
    expect(app.activeDeployment?.components).toEqual([
      { name: 'web', sourceCommitHash: '9a4df0b1c2' },
      { name: 'worker' },
    ]);
    expect(app.activeDeployment?.progress.steps).toContainEqual({
      name: 'build / web',
      status: 'ERROR',
      reason: { code: 'BuildFailed', message: 'exit 1' },
    });
    expect(app.pinnedDeployment?.phase).toBe('UNKNOWN');
    expect(app.inProgressDeployment).toBeUndefined();
  });

  it('sends the spec back unchanged with update_all_source_versions on PUT', async () => {
    const spec = { name: 'web-production', services: [{ name: 'web', unknown_field: { deep: [1, 2] } }] };
    let sent: unknown;
    nock(HOST)
      .put(`/v2/apps/${APP}`, (body) => {
        sent = body;
        return true;
      })
      .reply(200, { app: { id: APP, spec } });
    const { client } = setup();
    await client.updateAppSpec(APP, spec, { updateAllSourceVersions: true });
    expect(sent).toEqual({ spec, update_all_source_versions: true });
  });

  it('maps rollback validation and component health', async () => {
    nock(HOST)
      .post(`/v2/apps/${APP}/rollback/validate`, { deployment_id: 'dep-1' })
      .reply(200, {
        valid: false,
        error: { code: 'app_pinned', message: 'app is pinned' },
        warnings: [{ code: 'image_source_missing_digest', message: 'tag', components: ['worker'] }],
      })
      .get(`/v2/apps/${APP}/health`)
      .reply(200, {
        app_health: {
          components: [{ name: 'web', state: 'UNHEALTHY', replicas_desired: 2, replicas_ready: 1 }],
        },
      });
    const { client } = setup();
    expect(await client.validateRollback(APP, 'dep-1')).toEqual({
      valid: false,
      error: { code: 'app_pinned', message: 'app is pinned' },
      warnings: [{ code: 'image_source_missing_digest', message: 'tag', components: ['worker'] }],
    });
    expect(await client.getAppHealth(APP)).toEqual([
      { name: 'web', state: 'UNHEALTHY', replicasDesired: 2, replicasReady: 1 },
    ]);
  });

  it("restores into a new cluster of the source's size, storage, region, version and network, sending backup_created_at", async () => {
    const cluster = {
      id: 'db-1',
      name: 'main-pg',
      engine: 'pg',
      version: '16',
      region: 'fra1',
      size: 'db-s-1vcpu-1gb',
      num_nodes: 1,
      status: 'online',
      storage_size_mib: 61440,
      private_network_uuid: 'vpc-1',
    };
    let sent: Record<string, unknown> = {};
    nock(HOST)
      .get('/v2/databases/db-1')
      .reply(200, { database: cluster })
      .post('/v2/databases', (body) => {
        sent = body;
        return true;
      })
      .reply(201, { database: { ...cluster, id: 'db-2', name: 'main-pg-restore', status: 'creating' } });
    const { client } = setup();
    const restored = await client.restoreDatabaseBackup({
      sourceClusterId: 'db-1',
      newClusterName: 'main-pg-restore',
      backupCreatedAt: '2026-11-19T03:00:00Z',
    });
    expect(sent).toMatchObject({
      name: 'main-pg-restore',
      engine: 'pg',
      region: 'fra1',
      size: 'db-s-1vcpu-1gb',
      num_nodes: 1,
      version: '16',
      storage_size_mib: 61440,
      private_network_uuid: 'vpc-1',
      backup_restore: { database_name: 'main-pg', backup_created_at: '2026-11-19T03:00:00Z' },
    });
    expect(sent.backup_restore).not.toHaveProperty('created_at');
    expect(restored).toMatchObject({ id: 'db-2', name: 'main-pg-restore', status: 'creating' });
  });

  it('reports an unexpected response shape as do_api_failed', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}/deployments/dep-1`)
      .reply(200, { deployment: { phase: 'ACTIVE' } });
    const err = await failure(setup().client.getDeployment(APP, 'dep-1'));
    expect(err.code).toBe('do_api_failed');
    expect(err.message).toContain('deployment.id');
  });
});

describe('DoClient errors', () => {
  it('names what was not found', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}`)
      .reply(404, { id: 'not_found', message: 'The resource could not be found.' });
    const err = await failure(setup().client.getApp(APP));
    expect(err.code).toBe('do_not_found');
    expect(err.message).toBe(`App ${APP} was not found on DigitalOcean`);
  });

  it("shows DO's own message for a refused change", async () => {
    nock(HOST)
      .post(`/v2/apps/${APP}/deployments`)
      .reply(409, { id: 'conflict', message: 'app is pinned to rollback deployment dep-9' });
    const err = await failure(setup().client.createDeployment(APP));
    expect(err.code).toBe('do_api_failed');
    expect(err.message).toContain('HTTP 409');
    expect(err.message).toContain('app is pinned to rollback deployment dep-9');
  });

  it('never puts the token in an error or a log line, even when DO echoes it', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    nock(HOST)
      .get(`/v2/apps/${APP}`)
      .reply(503, {})
      .get(`/v2/apps/${APP}`)
      .reply(401, { id: 'unauthorized', message: `token Bearer ${TOKEN} is invalid` });
    const err = await failure(setup({ log }).client.getApp(APP));
    expect(err.code).toBe('do_api_failed');
    expect(err.hint).toBe('check DIGITALOCEAN_TOKEN has read/write scope');
    expect(err.message).toContain('HTTP 401');
    expect(err.cause).toBeUndefined();
    const everything = [err.message, err.hint, err.stack, JSON.stringify(err), ...lines].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(lines.join('')).toContain('/v2/apps/:id');
  });
});
