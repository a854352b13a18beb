import { describe, expect, it } from 'vitest';
import { approvalMessage, stateSentence } from '../../approvals/render.js';
import type { ApprovalRequest } from '../../approvals/types.js';
import { helpText } from '../../commands/help.js';
import { register } from '../../commands/registry.js';
import { tablesPostgres } from '../../handlers/query/catalog-postgres.js';
import { checkPostgres } from '../../handlers/query/guard-postgres.js';
import { renderBackupList } from '../../src/render/backup.js';
import { sandboxConfig } from '../../src/sandbox/config.js';

/** Words a person would write: plurals, articles, states, mentions instead of raw ids. */
describe('words', () => {
  it('says where a closed request stands in a sentence, never "is already succeeded"', () => {
    expect(stateSentence('succeeded')).toBe('This request already ran and succeeded');
    expect(stateSentence('failed')).toBe('This request already ran and failed');
    expect(stateSentence('expired')).toBe('This request has expired');
    expect(stateSentence('rejected')).toBe('This request was rejected');
  });

  it('counts approvers and approvals in the singular when there is one', () => {
    const r = {
      id: 'req12345',
      kind: 'deploy',
      requester: 'U0ALICE',
      channel: 'C0DEV',
      command: '/deploy web production',
      app: 'web',
      env: 'production',
      summary: 'Deploy',
      binding: {},
      params: {},
      required: 1,
      approvals: [],
      state: 'pending',
      createdAt: '2026-11-22T11:00:00Z',
      expiresAt: '2026-11-22T11:30:00Z',
      messages: [],
    } satisfies ApprovalRequest;
    const text = JSON.stringify(approvalMessage(r).blocks);
    expect(text).toContain('needs 1 approver ·');
    expect(text).toContain('Waiting for 1 more approval.');
    expect(text).not.toContain('(s)');
    expect(JSON.stringify(approvalMessage({ ...r, required: 2 }).blocks)).toContain(
      'Waiting for 2 more approvals.',
    );
  });

  it('uses "a" or "an" as the statement needs', async () => {
    const refused = (sql: string) =>
      checkPostgres(sql, {
        database: 'main',
        maskColumns: [],
        allowFunctions: [],
        maskPredicates: 'refuse',
      }).then(
        () => '',
        (e: Error) => e.message,
      );
    expect(await refused('WITH d AS (DELETE FROM users RETURNING id) SELECT * FROM d')).toContain(
      'it contains a DELETE inside the statement',
    );
    expect(
      await refused('WITH d AS (INSERT INTO users (id) VALUES (1) RETURNING id) SELECT * FROM d'),
    ).toContain('it contains an INSERT inside the statement');
  });

  it('says "1 table or view", not "1 tables and views"', async () => {
    const one = await tablesPostgres(async () => ({ columns: ['table'], rows: [['users']] }));
    expect(one.title).toBe('1 table or view');
    const two = await tablesPostgres(async () => ({ columns: ['table'], rows: [['a'], ['b']] }));
    expect(two.title).toBe('2 tables and views');
  });

  it('says "1 more command needs a role" in /ops help', () => {
    const config = sandboxConfig();
    const command = (name: 'deploy' | 'query') =>
      register(
        {
          name,
          usage: [`/${name}`],
          summary: name,
          audited: false,
          parse: () => ({}),
          access: () => null,
          target: () => ({}),
          run: async () => undefined,
        },
        [name],
      );
    const commands = new Map([
      ['deploy', command('deploy')],
      ['query', command('query')],
    ]);
    expect(helpText(commands, config, new Set(['analyst']), 'C0DEV', 'help')).toContain(
      '_1 more command needs a role you do not hold; ask a dockside admin if you need it._',
    );
  });

  it('lists backups with their ids and who took them, as mentions', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    const message = renderBackupList(
      'main',
      {
        items: [
          { kind: 'managed', id: '2026-11-22T02:00:00Z', createdAt: '2026-11-22T02:00:00Z', size: 1024 },
          {
            kind: 'dump',
            id: 'main-20261122-110000-abcd',
            createdAt: '2026-11-22T11:00:00Z',
            size: 2048,
            record: {
              id: 'main-20261122-110000-abcd',
              db: 'main',
              engine: 'postgres',
              key: 'k',
              location: '/backups/k',
              destination: 'local',
              size: 2048,
              sha256: 'f'.repeat(64),
              durationMs: 1000,
              requestedBy: 'U0ALICE',
              createdAt: '2026-11-22T11:00:00Z',
              tool: 'pg_dump 16',
            },
          },
        ],
      },
      now,
    );
    expect(message.text).toContain('• `2026-11-22T02:00:00Z` managed backup, 1.0 KB, 10h 0m ago');
    expect(message.text).toContain(
      '• `main-20261122-110000-abcd` dump, 2.0 KB, 1h 0m ago, local, by <@U0ALICE>',
    );
    // `<id>` would be read by Slack as a link and vanish.
    expect(message.text).toContain('`/backup main restore &lt;id&gt;`');
    expect(message.text).not.toMatch(/by U0ALICE/);
  });
});
