import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { checkDatabases } from '../../src/config/connect/databases.js';
import { checkDigitalOcean } from '../../src/config/connect/digitalocean.js';
import { checkRedis } from '../../src/config/connect/redis.js';
import { checkSlack } from '../../src/config/connect/slack.js';
import { MYSQL_ADMIN, makeConfig, PG_ADMIN, silentLog } from '../backup/helpers.js';
import { REDIS_URL } from '../helpers/redis.js';

const APP = '6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601';
const CLUSTER = '1c2d3e4f-7a8b-4c90-8da1-b5c6d7e8f905';
const DO = 'https://do.test';
const SLACK = 'https://slack.test';

const config = makeConfig({
  apps: { web: { environments: { staging: { app_id: APP } } } },
  databases: { main: { engine: 'postgres', url: PG_ADMIN, cluster_id: CLUSTER } },
  access: { roles: { approver: { usergroups: ['S0LEADS'] } } },
});

describe('config check --connect: DigitalOcean token scopes', () => {
  it('names the scope an endpoint refused (403) and the id it did not find (404)', async () => {
    nock(DO)
      .get(`/v2/apps/${APP}`)
      .reply(200, { app: { id: APP } })
      .get(`/v2/apps/${APP}/deployments`)
      .query({ per_page: 1 })
      .reply(200, { deployments: [] })
      .get(`/v2/databases/${CLUSTER}`)
      .reply(403, { id: 'forbidden', message: 'You are not authorized to perform this operation' })
      .get(`/v2/databases/${CLUSTER}/backups`)
      .reply(404, { id: 'not_found' });
    const findings = await checkDigitalOcean(config, 'dop_v1_test', `${DO}/v2`);
    expect(findings.map((f) => [f.level, f.detail])).toEqual([
      ['ok', 'answers (app:read)'],
      ['ok', 'answers (app:read)'],
      ['fail', '403: the token lacks the database:read scope'],
      ['fail', `404: no database cluster ${CLUSTER} in the token's team`],
    ]);
  });

  it('stops at a token DigitalOcean does not accept (401)', async () => {
    nock(DO).get(`/v2/apps/${APP}`).reply(401, { id: 'unauthorized' });
    const findings = await checkDigitalOcean(config, 'dop_v1_bad', `${DO}/v2`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/^401: .*wrong, expired or revoked/),
    });
  });
});

describe('config check --connect: Slack', () => {
  const env = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: `${SLACK}/api/` };

  it('says when the bot is not in the ops channel, and a user group a free plan cannot read', async () => {
    nock(SLACK)
      .post('/api/auth.test')
      .reply(200, { ok: true, user: 'dockside', user_id: 'UBOT', team: 'Acme' })
      .post('/api/conversations.info')
      .reply(200, { ok: true, channel: { id: 'C0123456789', name: 'ops', is_member: false } })
      .post('/api/usergroups.users.list')
      .reply(200, { ok: false, error: 'plan_upgrade_required' });
    const findings = await checkSlack(config, env, 'http');
    expect(findings.map((f) => [f.what, f.level, f.detail])).toEqual([
      ['Slack auth.test', 'ok', 'the bot token works: bot user dockside (UBOT) in workspace Acme'],
      [
        'ops channel C0123456789',
        'fail',
        'the bot is not a member of #ops, so approvals and summaries would fail with not_in_channel',
      ],
      ['user group S0LEADS', 'fail', 'user groups need a paid Slack plan (plan_upgrade_required)'],
    ]);
    expect(findings[1]?.hint).toBe('Invite it: /invite @dockside in #ops');
  });

  it('warns when the token lacks the history scopes a takeover reads threads with', async () => {
    nock(SLACK)
      .post('/api/auth.test')
      .reply(
        200,
        { ok: true, user: 'dockside', user_id: 'UBOT', team: 'Acme' },
        {
          'x-oauth-scopes':
            'commands,chat:write,files:write,usergroups:read,channels:read,groups:read,groups:history',
        },
      )
      .post('/api/conversations.info')
      .reply(200, { ok: true, channel: { id: 'C0123456789', name: 'ops', is_member: true } })
      .post('/api/usergroups.users.list')
      .reply(200, { ok: true, users: ['U1'] });
    const findings = await checkSlack(config, env, 'http');
    expect(findings[1]).toMatchObject({
      what: 'Slack scopes',
      level: 'warn',
      detail: expect.stringMatching(/^the app lacks channels:history: when a replica dies mid-reply/),
    });
    expect(findings.filter((f) => f.level !== 'ok')).toHaveLength(1);
  });

  it('explains invalid_auth and missing_scope in words', async () => {
    nock(SLACK).post('/api/auth.test').reply(200, { ok: false, error: 'invalid_auth' });
    const bad = await checkSlack(config, env, 'http');
    expect(bad).toEqual([
      expect.objectContaining({ level: 'fail', detail: 'Slack does not accept the token (invalid_auth)' }),
    ]);
    nock(SLACK)
      .post('/api/auth.test')
      .reply(200, { ok: true, user: 'dockside', user_id: 'UBOT', team: 'Acme' })
      .post('/api/conversations.info')
      .reply(200, {
        ok: false,
        error: 'missing_scope',
        needed: 'channels:read',
        provided: 'commands,chat:write',
      })
      .post('/api/usergroups.users.list')
      .reply(200, { ok: true, users: ['U1', 'U2'] });
    const scoped = await checkSlack(config, env, 'http');
    expect(scoped[1]).toMatchObject({
      level: 'fail',
      detail: 'the app lacks the channels:read scope (missing_scope; it has commands,chat:write)',
    });
    expect(scoped[2]).toMatchObject({ level: 'ok', detail: '2 members' });
  });
});

describe('config check --connect: Redis and databases, for real', () => {
  it('reaches the local Redis and writes to it', async () => {
    expect(await checkRedis(REDIS_URL, `test:connect:${process.pid}:`)).toMatchObject({ level: 'ok' });
  });

  it('says nothing listens on a closed port', async () => {
    expect(await checkRedis('redis://127.0.0.1:1')).toMatchObject({
      level: 'fail',
      detail: 'nothing accepts connections at 127.0.0.1:1',
    });
  });

  it('reports a writable query user with what the privilege check found, and the dump tools', async () => {
    const dbs = makeConfig({
      databases: {
        main: { engine: 'postgres', url: PG_ADMIN },
        erp: { engine: 'mysql', url: MYSQL_ADMIN },
        gone: { engine: 'postgres', url: 'postgres://x@127.0.0.1:1/none' },
      },
    });
    const findings = await checkDatabases(dbs, silentLog);
    const by = Object.fromEntries(findings.map((f) => [f.what, f]));
    expect(by['database main']).toMatchObject({
      level: 'warn',
      detail: expect.stringMatching(/the configured user can write \(the user is a superuser/),
    });
    expect(by['dumps of main']).toMatchObject({
      level: 'ok',
      detail: expect.stringMatching(/^pg_dump \(PostgreSQL\) .* can dump PostgreSQL \d+$/),
    });
    expect(by['database erp']?.level).toBe('warn');
    expect(by['dumps of erp']?.level).toBe('ok');
    expect(by['database gone']).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/Could not connect to database "gone" at 127\.0\.0\.1:1/),
    });
  });
});
