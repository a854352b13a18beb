import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DumpIndex } from '../../handlers/backup/index-store.js';
import type { Dockside } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import { AUDIT_PRUNE_SCHEDULE } from '../../src/schedules/audit.js';
import { PRUNE_SCHEDULE } from '../../src/schedules/backups.js';
import { PG_ADMIN, scratchPg, tempDir } from '../backup/helpers.js';
import { approvalMessages, newApproval } from '../helpers/approvals.js';
import { startHealthServer } from '../helpers/health-server.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice } = SANDBOX_USERS;
const { ops, dev } = SANDBOX_CHANNELS;
const DAY = 86_400_000;

/**
 * Every scheduled job of a real bot, run by three replicas through the scheduler's own
 * tick (lease included) with the clock the bots were built with, asserting what reaches
 * the ops channel of the fake Slack.
 */
describe('scheduled jobs on three replicas', async () => {
  const health = await startHealthServer();
  const main = await scratchPg('sched_main');
  await main.query(
    'CREATE TABLE orders (id int primary key, total numeric); INSERT INTO orders VALUES (1, 9.5)',
  );
  // A read-only user on the same database: the start-up check must not warn about it.
  const ro = `dockside_ro_${main.name.slice(-8)}`;
  await main.query(
    `CREATE ROLE ${ro} LOGIN; GRANT USAGE ON SCHEMA public TO ${ro}; GRANT SELECT ON orders TO ${ro}`,
  );
  afterAll(async () => {
    // Runs before scratchPg drops the database: the grants go first, then the role.
    await main.query(`DROP OWNED BY ${ro}`);
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${ro}`);
    await admin.end();
  });
  const backupDir = await tempDir();
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const world = await testWorld({
    config: (sim) =>
      parseConfig(
        `${sandboxConfigText({ githubApiUrl: sim.githubUrl, healthBaseUrl: health.url })}
databases:
  main: { engine: postgres, url: "${main.url}", backup_schedule: { cron: "30 2 * * *" } }
  readonly: { engine: postgres, url: "postgres://${ro}@127.0.0.1:5432/${main.name}" }
  gone: { engine: postgres, url: "postgres://postgres@127.0.0.1:5432/dockside_no_such_db", backup_schedule: { cron: "45 2 * * *" } }
backups:
  destination: { type: local, path: ${backupDir} }
  retention: { daily: 1, weekly: 0, monthly: 0 }
health:
  failure_threshold: 2
  poll_seconds: 3600
  timeout_ms: 2000
schedules:
  health_summary: { cron: "0 9 * * 1-5", timezone: Europe/Berlin }
audit:
  retention_days: 30
`,
        {},
      ),
    bot: { clock, schedules: true },
  });
  const replicas: Dockside[] = [world.bot, (await world.spawnBot()).bot, (await world.spawnBot()).bot];
  const opsPosts = (from: number) => world.slack.messages.slice(from).filter((m) => m.channel === ops);

  /** One tick of a job on every replica at once; exactly one must run it. */
  async function tick(job: string, at: Date, outcome: 'ran' | 'failed' = 'ran') {
    const results = await Promise.all(replicas.map((r) => r.scheduler.runTick(job, at)));
    expect([...results].sort()).toEqual([outcome, 'taken', 'taken']);
  }

  it('warns at start-up about the database whose user can write, and only about it', async () => {
    const warning = await waitFor('the writable-user warning', () =>
      world.logs.find((l) => l.includes('the configured user can write')),
    );
    expect(JSON.parse(warning)).toMatchObject({
      level: 40,
      database: 'main',
      msg: expect.stringMatching(/^Database "main": the configured user can write \(the user is a superuser/),
    });
    // Each replica checks at its start; all three must have looked at every database.
    await waitFor(
      'every replica checked every database',
      () =>
        world.logs.filter((l) => l.includes('"database":"gone"') && l.includes('not reachable at start-up'))
          .length === replicas.length,
    );
    await waitFor(
      'every replica warned',
      () => world.logs.filter((l) => l.includes('the configured user can write')).length === replicas.length,
    );
    expect(world.logs.some((l) => l.includes('"database":"readonly"'))).toBe(false);
  });

  it('posts the health summary once per tick, with what needs a person', async () => {
    const before = approvalMessages(world.slack).length;
    await world.driver.command(alice, dev, '/deploy', 'web production');
    await newApproval(world.slack, before);
    health.routes.set('/web-staging', { status: 503, body: { status: 'down' } });
    const from = world.slack.messages.length;
    await tick('health:summary', new Date(Math.floor(clock.now() / 1000) * 1000));
    const posts = opsPosts(from);
    expect(posts.map((p) => p.text)).toEqual(['Health summary: 5 things need a person']);
    const body = ((posts[0]?.blocks ?? []) as Array<{ text?: { text?: string } }>)
      .map((b) => b.text?.text)
      .join('');
    const needs = body.split('\n\n').find((part) => part.startsWith('*Needs a person (5):*')) ?? '';
    const items = needs.split('\n• ').slice(1);
    expect(items).toEqual([
      expect.stringMatching(/web\/staging is unhealthy: http 503/),
      expect.stringMatching(
        new RegExp(`^:hourglass: approval waiting: [^]*web production[^]*asked by <@${alice}>`),
      ),
      ':floppy_disk: main has no backup at all',
      ':floppy_disk: readonly has no backup at all',
      ':floppy_disk: gone has no backup at all',
    ]);
    health.routes.delete('/web-staging');
  });

  it('alerts once when an env fails the threshold of polls in a row, and once when it recovers', async () => {
    health.routes.set('/web-production', { status: 503, body: { status: 'down' } });
    const from = world.slack.messages.length;
    const t0 = Math.floor(clock.now() / 3_600_000) * 3_600_000;
    await tick('health:poll', new Date(t0 + 3_600_000));
    expect(opsPosts(from)).toEqual([]);
    await tick('health:poll', new Date(t0 + 2 * 3_600_000));
    expect(opsPosts(from).map((p) => p.text)).toEqual([
      expect.stringMatching(
        /^:red_circle: \*web\/production is unhealthy\* \(2 failed checks in a row\): .*503/,
      ),
    ]);
    await tick('health:poll', new Date(t0 + 3 * 3_600_000));
    expect(opsPosts(from)).toHaveLength(1);
    health.routes.delete('/web-production');
    await tick('health:poll', new Date(t0 + 4 * 3_600_000));
    expect(opsPosts(from).map((p) => p.text)).toEqual([
      expect.stringMatching(/^:red_circle: /),
      expect.stringMatching(/^:large_green_circle: \*web\/production recovered\* after /),
    ]);
  });

  it('takes the scheduled dump on one replica, posts a failed one, and prunes outside the retention', async () => {
    const from = world.slack.messages.length;
    const day = (n: number) => new Date(Date.UTC(2026, 10, 2 + n, 2, 30));
    offset = day(0).getTime() - Date.now();
    await tick('backup:main', day(0));
    offset = day(3).getTime() - Date.now();
    await tick('backup:main', day(3));
    const dumps = (await world.bot.audit.list({ limit: 200 })).filter(
      (e) => e.action === 'backup.dump' && e.database === 'main' && e.result === 'succeeded',
    );
    expect(dumps).toHaveLength(2);
    const [newest, oldest] = dumps.map((e) => String(e.data?.backupId));
    expect(opsPosts(from)).toEqual([]);

    await tick('backup:gone', new Date(Date.UTC(2026, 10, 5, 2, 45)), 'failed');
    const failed = opsPosts(from);
    expect(failed.map((p) => p.text)).toEqual([
      expect.stringMatching(/^:x: The scheduled dump of \*gone\* failed: .*dockside_no_such_db/),
    ]);

    const listed = async () => (await new DumpIndex(world.bot.redis).list('main', 10)).map((d) => d.id);
    expect(await listed()).toEqual([newest, oldest]);
    const [h, m] = PRUNE_SCHEDULE.cron.split(' ').map(Number);
    await tick('backup:prune', new Date(Date.UTC(2026, 10, 5, h ?? 0, m ?? 0)));
    expect(await listed()).toEqual([newest]);
    const pruned = (await world.bot.audit.list({ limit: 200 })).filter(
      (e) => e.action === 'backup.prune' && e.result === 'succeeded',
    );
    expect(pruned.map((e) => e.detail)).toEqual([`pruned dump ${oldest}`]);
  });

  it('prunes the audit log past retention_days on one replica, audited, and the chain still verifies', async () => {
    offset = 0;
    const old = await world.bot.audit.append({
      actor: alice,
      action: 'lock',
      app: 'web',
      result: 'succeeded',
    });
    offset = 31 * DAY;
    const [h, m] = AUDIT_PRUNE_SCHEDULE.cron.split(' ').map(Number);
    const at = new Date(clock.now());
    at.setUTCHours(h ?? 0, m ?? 0, 0, 0);
    await tick('audit:prune', at);
    const entries = await world.bot.audit.list({ limit: 200 });
    expect(entries.map((e) => e.id)).not.toContain(old.id);
    const outcome = entries.find((e) => e.action === 'audit.prune' && e.result === 'succeeded');
    expect(outcome?.detail).toMatch(/^archived \d+ entries older than 30 days/);
    expect(Number(outcome?.data?.pruned)).toBeGreaterThan(0);
    expect(entries.filter((e) => e.action === 'audit.prune' && e.result === 'started')).toHaveLength(1);
    const res = await world.driver.command(alice, dev, '/audit', 'verify');
    expect((await answerTo(world, res)).text).toMatch(/hash chain is intact/);
  });
});
