import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../handlers/query/run.js';
import { grantsSql } from '../../src/db/grants.js';
import { runDbGrants } from '../../src/db/grants-cli.js';
import { createDatabasePools, type DatabasePools } from '../../src/db/pools.js';
import { checkWritable, privilegeWarnings } from '../../src/db/writable.js';
import { isDocksideError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createFixture, type Engine, type Fixture } from './fixtures.js';

/**
 * Layer 0: the database refuses masked columns. The script `dockside db grants` prints
 * is run on the real servers as the table owner; afterwards the read-only user can no
 * longer read masked columns, and the start-up / health report says so (or not).
 */
const log = createLogger({ level: 'silent' });

describe.each<Engine>(['postgres', 'mysql'])('layer 0 on %s', (engine) => {
  let fx: Fixture;
  let pools: DatabasePools;
  beforeAll(async () => {
    fx = await createFixture(engine);
    pools = createDatabasePools({ ro: fx.dbConfig({ url: fx.readOnlyUrl }) }, log);
  });
  afterAll(async () => {
    await pools?.close();
    await fx?.drop();
  });

  it('names every masked column the user can read until the grants script has run', async () => {
    const before = await checkWritable(pools.get('ro'));
    const schema = engine === 'postgres' ? 'public' : fx.name;
    expect(before.maskedReadable).toEqual([
      `${schema}.users.email`,
      `${schema}.users.password_hash`,
      `${schema}.users.phone`,
    ]);
    expect(privilegeWarnings(before)).toEqual([
      `Database "ro": the configured user can read masked columns ${schema}.users.email, ${schema}.users.password_hash, ${schema}.users.phone; only dockside's masking hides them. Run "dockside db grants ro" for SQL that grants only the other columns.`,
    ]);

    const script = grantsSql('ro', fx.dbConfig({ url: fx.readOnlyUrl }), { owner: 'postgres' });
    if (engine === 'postgres') {
      await fx.admin(script);
    } else {
      const role = new URL(fx.readOnlyUrl).username;
      await fx.admin(`REVOKE ALL PRIVILEGES ON \`${fx.name}\`.* FROM '${role}'@'%'`);
      const generator =
        script
          .split('\n')
          .filter((l) => !l.startsWith('--'))
          .join('\n')
          .split(/;\s*$/m)[0] ?? '';
      for (const [grant] of (await fx.adminRows(generator)) as string[][]) await fx.admin(grant ?? '');
    }
    // Fresh connections: MySQL checks column grants per connection.
    await pools.close();
    pools = createDatabasePools({ ro: fx.dbConfig({ url: fx.readOnlyUrl }) }, log);

    const after = await checkWritable(pools.get('ro'));
    expect(after.maskedReadable).toEqual([]);
    expect(privilegeWarnings(after)).toEqual([]);
    const denied = await runQuery(pools.get('ro'), 'SELECT email FROM users').catch((e: unknown) => e);
    expect(isDocksideError(denied, 'query_failed')).toBe(true);
    expect((denied as Error).message).toMatch(/denied/i);
    expect((await runQuery(pools.get('ro'), 'SELECT id, name FROM users ORDER BY id')).rowCount).toBe(3);
  });

  it('names tables the user can write', async () => {
    const role = new URL(fx.readOnlyUrl).username;
    const grant =
      engine === 'postgres'
        ? `GRANT UPDATE ON orders TO ${role}`
        : `GRANT UPDATE ON ${fx.name}.orders TO '${role}'@'%'`;
    await fx.admin(grant);
    try {
      const check = await checkWritable(pools.get('ro'));
      expect(privilegeWarnings(check)[0]).toMatch(
        engine === 'postgres'
          ? /can write \(write privileges on public\.orders\)/
          : /can write \(UPDATE \(table .*\.orders\)\)/,
      );
    } finally {
      await fx.admin(grant.replace('GRANT', 'REVOKE').replace(' TO ', ' FROM '));
    }
  });
});

describe('dockside db grants', () => {
  const yaml = `channels: { ops: C0123456789 }
databases:
  main: { engine: postgres, url: "\${MAIN_URL}", mask_columns: [email, Phone] }
  shop: { engine: mysql, url: "mysql://shop_ro:pw@db.example:3306/shop", mask_columns: [card_last4] }
`;
  function run(args: string[]) {
    let out = '';
    let err = '';
    const code = runDbGrants(args, {
      env: { DOCKSIDE_CONFIG_YAML: yaml, MAIN_URL: 'postgres://dockside_ro:secret@db.example:5432/app' },
      out: { write: (s: string) => (out += s) },
      err: { write: (s: string) => (err += s) },
    });
    return { code, out, err };
  }

  it('prints the PostgreSQL script for the user in the URL, without its password', () => {
    const r = run(['main', '--owner', 'app_owner', '--backup-role', 'app_dump']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('GRANT CONNECT ON DATABASE "app" TO "dockside_ro"');
    expect(r.out).toContain("ARRAY['email', 'phone']::text[]");
    expect(r.out).toContain(
      "ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON SEQUENCES TO %I', 'app_owner'",
    );
    expect(r.out).not.toContain('secret');
    expect(run(['main']).out).toContain('Run again with --backup-role <user>');
  });

  it('prints the MySQL generator and the mysqldump grants', () => {
    const r = run(['shop', '--host', '10.0.0.%', '--backup-role', 'shop_dump']);
    expect(r.out).toContain("NOT IN ('card_last4')");
    expect(r.out).toContain("TO ''shop_ro''@''10.0.0.%'';'");
    expect(r.out).toContain('GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON `shop`.*');
  });

  it('refuses unknown databases, odd role names and bad usage', () => {
    expect(() => run(['nope'])).toThrow(/There is no database "nope"/);
    expect(() => run(['main', '--role', 'x"; DROP'])).toThrow(/not a plain role name/);
    expect(run([]).code).toBe(2);
    expect(run(['main', '--bogus']).code).toBe(2);
  });
});

describe('/health names the privilege problems of a reachable database', async () => {
  const { createHealthService } = await import('../../handlers/health/service.js');
  const { renderHealthReport } = await import('../../src/render/health.js');
  const { FakeClock, makeConfig } = await import('../backup/helpers.js');
  const { fakeAppsDo } = await import('../health/helpers.js');
  const { testRedis } = await import('../helpers/redis.js');
  const { redis } = testRedis('i8-health');

  it('shows each warning under the databases, escaped', async () => {
    const config = makeConfig({
      databases: { main: { engine: 'postgres', url: 'postgres://u@127.0.0.1/main' } },
    });
    const health = createHealthService({
      config,
      do: fakeAppsDo({}, {}),
      redis,
      locks: {
        get: async () => null,
        list: async () => [],
        lock: async () => undefined,
        unlock: async () => null,
      },
      pingDatabase: async () => undefined,
      databaseWarnings: async (name) => [
        `Database "${name}": the configured user can read masked columns public.users.email <!here>`,
      ],
      clock: new FakeClock(Date.parse('2026-11-05T09:00:00Z')),
    });
    const report = await health.report();
    expect(report.databases[0]?.warnings).toHaveLength(1);
    const text = renderHealthReport(report, Date.parse('2026-11-05T09:00:00Z')).text;
    expect(text).toContain(
      ':warning: Database "main": the configured user can read masked columns public.users.email &lt;!here&gt;',
    );
  });
});
