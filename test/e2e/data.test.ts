import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import { approvalMessages, click, newApproval } from '../helpers/approvals.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

const { alice, carol, dave } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const ADMIN = 'postgres://postgres@127.0.0.1:5432/test';

describe('/query, /backup and /health through Slack', async () => {
  const dbName = `dockside_e2e_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query(`CREATE TABLE users (id int primary key, name text, email text);
    INSERT INTO users VALUES (1, 'Ada', 'ada@example.com'), (2, 'Linus', 'linus@example.com');`);
  await db.end();
  const scratchName = `${dbName}_restore`;
  await admin.query(`CREATE DATABASE ${scratchName}`);
  const scratchUrl = `postgres://postgres@127.0.0.1:5432/${scratchName}`;
  const backupDir = mkdtempSync(path.join(tmpdir(), 'dockside-e2e-'));
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
    await admin.end();
  });
  const world = await testWorld({
    config: () =>
      parseConfig(
        `${sandboxConfigText()}
databases:
  main: { engine: postgres, url: "${url}", mask_columns: [email], max_rows: 50, restore_target: scratch }
  wide: { engine: postgres, url: "${url}", mask_columns: [email], max_rows: 500, max_cell_bytes: 1024 }
  loose: { engine: postgres, url: "${url}", mask_columns: [email], mask_predicates: allow }
  scratch: { engine: postgres, url: "${scratchUrl}" }
backups:
  destination: { type: local, path: ${backupDir} }
`,
        {},
      ),
  });
  const { driver, slack } = world;

  it('answers a SELECT in the channel with masked columns, and audits the SQL but no values', async () => {
    const from = slack.messages.length;
    const res = await driver.command(
      carol,
      dev,
      '/query',
      'main select u.name, u.email as e from users u order by id',
    );
    expect(res.status).toBe(200);
    const message = await waitFor('the result', () =>
      slack.messages.slice(from).find((m) => m.channel === dev),
    );
    const shown = JSON.stringify(message);
    expect(shown).toContain('Ada');
    expect(shown).not.toContain('ada@example.com');
    // The answer is posted before the outcome is audited: wait for the outcome.
    const entry = await waitFor('the audited outcome', async () => {
      const [last] = await world.bot.audit.list({ user: carol, limit: 1 });
      return last?.result === 'succeeded' ? last : undefined;
    });
    expect(entry).toMatchObject({ action: 'query', result: 'succeeded', database: 'main' });
    expect(entry?.data?.sql).toBe('select u.name, u.email as e from users u order by id');
    expect(JSON.stringify(entry)).not.toContain('Ada');
  });

  it('refuses a statement that could write, says which rule, and audits it as refused', async () => {
    const answer = await answerTo(
      world,
      await driver.command(carol, dev, '/query', 'main delete from users'),
    );
    expect(answer.text).toMatch(
      /^Refused by the statement check \(rule: read statements only\): this is a DELETE statement, not a read\./,
    );
    const [entry] = await world.bot.audit.list({ user: carol, limit: 1 });
    expect(entry).toMatchObject({ action: 'query', result: 'refused' });
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    expect((await check.query('select count(*)::int as n from users')).rows[0]).toEqual({ n: 2 });
    await check.end();
  });

  it('escapes Slack markup in column names, cells and error texts', async () => {
    const evil = '<!channel> <http://evil.example/login|Session expired>';
    const cases = [
      `main select name as "${evil}" from users`,
      `main select '${evil}' as note, '<@U0ALICE>' as who`,
      `main select email as "<!here>" from users`,
    ];
    for (const sql of cases) {
      const from = slack.messages.length;
      await driver.command(carol, dev, '/query', sql);
      const message = await waitFor('the result', () =>
        slack.messages.slice(from).find((m) => m.channel === dev),
      );
      const shown = JSON.stringify(message);
      expect(shown).not.toMatch(/<!channel>|<!here>|<http:|<@U0ALICE>/);
      expect(shown).toContain('&lt;');
      expect(shown).not.toContain('ada@example.com');
    }
    // An error that quotes the statement's names is escaped too.
    const answer = await answerTo(
      world,
      await driver.command(carol, dev, '/query', `main select "${evil}" from users`),
    );
    expect(answer.text).toContain('&lt;!channel&gt;');
    expect(answer.text).not.toContain('<!channel>');
  });

  it('neutralises spreadsheet formulas in the CSV file and cuts long values, saying so', async () => {
    const before = slack.files.length;
    await driver.command(
      carol,
      dev,
      '/query',
      `wide select g, '=HYPERLINK("http://evil.example","x")' as f, '+1+2' as p, '@SUM(A1)' as a, -5 as n, repeat('z', 5000) as long from generate_series(1, 120) g`,
    );
    const file = await waitFor(
      'the CSV upload',
      () => slack.files.slice(before).find((f) => f.content.length > 0),
      15_000,
    );
    // The fake keeps the multipart body of the upload; the CSV lines are inside it.
    const lines = file.content.toString().split('\r\n');
    const header = lines.indexOf('g,f,p,a,n,long');
    const first = lines[header + 1] ?? '';
    expect(first.startsWith(`1,"'=HYPERLINK(""http://evil.example"",""x"")",'+1+2,'@SUM(A1),-5,`)).toBe(true);
    expect(first.length).toBeLessThan(1200);
    expect(file.initialComment).toContain('120 values cut at max_cell_bytes (1 KB)');
  });

  it('refuses a predicate on a masked column through Slack and says how to allow it', async () => {
    const answer = await answerTo(
      world,
      await driver.command(carol, dev, '/query', "main select id from users where email like 'ada%'"),
    );
    expect(answer.text).toContain('"email" is masked and is used in WHERE');
    expect(answer.text).toContain('mask_predicates: allow');
    const [entry] = await world.bot.audit.list({ user: carol, limit: 1 });
    expect(entry).toMatchObject({ action: 'query', result: 'refused' });
    expect(JSON.stringify(entry)).not.toContain('ada@example.com');
  });

  it('answers a data error on a masked table with its SQLSTATE only, in Slack and in the audit log', async () => {
    for (const sql of [
      'loose select email::int from users',
      'loose select 1 / (length(email) - length(email)) from users',
    ]) {
      const answer = await answerTo(world, await driver.command(carol, dev, '/query', sql));
      expect(answer.text).toMatch(
        /^The database stopped the statement with SQLSTATE 22\w{3} \(data exception\)/,
      );
      const [entry] = await world.bot.audit.list({ user: carol, limit: 1 });
      expect(entry).toMatchObject({ action: 'query', result: 'failed' });
      expect(JSON.stringify([answer, entry])).not.toMatch(/ada@|linus@/);
    }
  });

  it('refuses /query to someone without the analyst role', async () => {
    const answer = await answerTo(world, await driver.command(dave, dev, '/query', 'main select 1'));
    expect(answer.text).toMatch(/^You may not query main\./);
  });

  it('takes a dump with the real pg_dump and lists it', async () => {
    const from = slack.messages.length;
    await driver.command(alice, dev, '/backup', 'main now');
    const done = await waitFor(
      'the dump to finish',
      () =>
        slack.messages
          .slice(from)
          .find((m) => /verified|sha256|done/i.test(JSON.stringify(m.blocks) + m.text)),
      30_000,
    );
    // The outcome is audited right after the message is posted.
    const entry = await waitFor('the audited outcome', async () =>
      (await world.bot.audit.list({ user: alice, limit: 5 })).find(
        (e) => e.command?.startsWith('/backup main now') && e.result !== 'started',
      ),
    );
    expect(entry.result).toBe('succeeded');
    // The dump the audit log recorded is the one the message and the list name.
    const [, dumpId = 'none', sha = 'none'] =
      /^dump (\S+) \d+ bytes sha256 ([0-9a-f]{64})$/.exec(entry.detail ?? '') ?? [];
    expect(done.text).toContain(`Dump of *main* verified: \`${dumpId}\``);
    expect(done.text).toContain(`sha256 \`${sha.slice(0, 16)}`);
    const list = await answerTo(world, await driver.command(alice, dev, '/backup', 'main list'));
    expect(JSON.stringify(list.blocks)).toContain(dumpId);
  });

  it('restores a dump into the restore target only after approval, never into the source', async () => {
    const [dump] = (await world.bot.audit.list({ user: alice, limit: 20 })).filter(
      (e) => e.command === '/backup main now',
    );
    const id = /dump (\S+)/.exec(dump?.detail ?? '')?.[1];
    expect(id).toBeDefined();
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/backup', `main restore ${id}`);
    const approval = await newApproval(slack, before);
    expect(approval.text).toBe('Approval needed: Restore main');
    expect(JSON.stringify(approval.blocks)).toContain('into *scratch*');
    const scratch = new pg.Client({ connectionString: scratchUrl });
    await scratch.connect();
    try {
      expect((await scratch.query("select to_regclass('public.users') as t")).rows[0]).toEqual({ t: null });
      await click(driver, SANDBOX_USERS.bob, approval, 'Approve');
      await waitFor('the restore', () => approval.text === 'Approval succeeded: Restore main', 30_000);
      expect((await scratch.query('select count(*)::int as n from users')).rows[0]).toEqual({ n: 2 });
    } finally {
      await scratch.end();
    }
  });

  it('/health shows every env of an app and the locks', async () => {
    await driver.command(alice, dev, '/lock', 'web staging incident 42');
    await waitFor('the lock', () => slack.messages.some((m) => m.text.includes('locked web staging')));
    const answer = await answerTo(world, await driver.command(alice, dev, '/health', 'web'));
    const text = JSON.stringify(answer);
    expect(text).toContain('staging');
    expect(text).toContain('production');
    expect(text).toContain('incident 42');
  });
});
