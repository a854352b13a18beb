import { describe, expect, it } from 'vitest';
import type { NewApprovalRequest } from '../../approvals/types.js';
import { createBackupCommand } from '../../commands/backup.js';
import type { CommandContext } from '../../commands/types.js';
import type { BackupOperations, DumpRecord } from '../../handlers/backup/index.js';
import { DocksideError } from '../../src/errors.js';
import type { MessageRef, SlackMessage } from '../../src/slack/reply.js';
import { FakeClock, makeConfig, silentLog } from './helpers.js';

const config = makeConfig({
  databases: {
    main: { engine: 'postgres', url: 'postgres://u@db/main', cluster_id: 'cl-1', restore_target: 'scratch' },
    scratch: { engine: 'postgres', url: 'postgres://u@db/scratch' },
  },
});

const record: DumpRecord = {
  id: 'main-20261105-090000-ab12',
  db: 'main',
  engine: 'postgres',
  key: 'main/main-20261105-090000-ab12.dump',
  location: '/backups/main/main-20261105-090000-ab12.dump',
  destination: 'local',
  size: 3 * 1024 * 1024,
  sha256: 'f'.repeat(64),
  durationMs: 12_000,
  requestedBy: 'U0ALICE',
  createdAt: '2026-11-05T09:00:00Z',
  tool: 'pg_dump (PostgreSQL) 15.2',
};

function context(text: string) {
  const out = {
    ephemeral: [] as SlackMessage[],
    inChannel: [] as SlackMessage[],
    updates: [] as SlackMessage[],
  };
  const ref: MessageRef = { channel: 'C0123456789', ts: '1.1' };
  const ctx: CommandContext = {
    invocation: { user: 'U0ALICE', channel: 'C0123456789', text, commandText: '/backup', requestId: 'r1' },
    config,
    reply: {
      ephemeral: async (m) => void out.ephemeral.push(m),
      inChannel: async (m) => {
        out.inChannel.push(m);
        return ref;
      },
    },
    slack: {
      post: async () => ref,
      update: async (_ref, m) => void out.updates.push(m),
      postEphemeral: async () => undefined,
      uploadFile: async () => undefined,
    },
    log: silentLog,
    auditId: 'a1',
  };
  return { ctx, out };
}

function command(backups: Partial<BackupOperations>, clock = new FakeClock(0)) {
  const approvals: NewApprovalRequest[] = [];
  const cmd = createBackupCommand({
    backups: backups as BackupOperations,
    requestApproval: async (r) => {
      approvals.push(r);
      return undefined;
    },
    clock,
    progressIntervalMs: 5000,
  });
  return { cmd, approvals };
}

describe('/backup', () => {
  it('parses the three forms and rejects anything else with the usage', () => {
    const { cmd } = command({});
    expect(cmd.parse('main list', config)).toEqual({ db: 'main', action: 'list' });
    expect(cmd.parse(' main   now ', config)).toEqual({ db: 'main', action: 'now' });
    expect(cmd.parse('main restore main-20261105-090000-ab12', config)).toMatchObject({ action: 'restore' });
    expect(cmd.parse('main restore 2026-11-05T02:10:00Z', config)).toMatchObject({
      backupId: '2026-11-05T02:10:00Z',
    });
    expect(() => cmd.parse('nope list', config)).toThrow(
      'There is no database `nope` (known: main, scratch).',
    );
    expect(() => cmd.parse('main restore', config)).toThrow('Give exactly one backup id.');
    expect(() => cmd.parse('main restore ;drop', config)).toThrow(/is not a backup id/);
    expect(() => cmd.parse('main restore 1', config)).toThrow(/is not a backup id/);
    expect(() => cmd.parse('main delete', config)).toThrow('Unknown action `delete`.');
    expect(cmd.access({ db: 'main', action: 'restore', backupId: 'x' })).toEqual({
      action: 'restore',
      database: 'main',
    });
    expect(cmd.access({ db: 'main', action: 'now' })).toEqual({ action: 'backup', database: 'main' });
  });

  it('`now` posts to the channel, updates progress at most every 5 s, and ends with the verified dump', async () => {
    const clock = new FakeClock(0);
    const { cmd } = command(
      {
        dump: async (req) => {
          await req.onStarted?.();
          for (let i = 1; i <= 20; i++) {
            clock.advance(1000);
            req.onProgress?.(i * 1024 * 1024);
          }
          return record;
        },
      },
      clock,
    );
    const { ctx, out } = context('main now');
    const outcome = await cmd.run(ctx, { db: 'main', action: 'now' });
    expect(out.inChannel[0]?.text).toContain('Dumping *main* for <@U0ALICE>');
    const progress = out.updates.slice(0, -1).map((m) => m.text);
    expect(progress).toHaveLength(4);
    expect(progress[0]).toContain('5.0 MB so far (5s)');
    expect(out.updates.at(-1)?.text).toMatch(
      /^:white_check_mark: Dump of \*main\* verified: `main-20261105-090000-ab12`, 3\.0 MB/,
    );
    expect(outcome).toMatchObject({ result: 'succeeded' });
  });

  it('`now` turns the channel message into the failure when the dump fails', async () => {
    const { cmd } = command({
      dump: async (req) => {
        await req.onStarted?.();
        throw new DocksideError(
          'backup_failed',
          'pg_dump is older than the database server (server 16.4, pg_dump 15.2).',
        );
      },
    });
    const { ctx, out } = context('main now');
    await expect(cmd.run(ctx, { db: 'main', action: 'now' })).rejects.toThrow(
      /older than the database server/,
    );
    expect(out.updates.at(-1)?.text).toBe(
      ':x: The dump of *main* failed: pg_dump is older than the database server (server 16.4, pg_dump 15.2). Nothing was kept.',
    );
  });

  it('`restore` asks for an approval bound to the exact dump instead of restoring', async () => {
    let restored = false;
    const { cmd, approvals } = command({
      resolve: async () => ({ kind: 'dump', record }),
      restoreTarget: () => 'scratch',
      restore: async () => {
        restored = true;
        throw new Error('must not run');
      },
    });
    const { ctx, out } = context('main restore main-20261105-090000-ab12');
    const outcome = await cmd.run(ctx, { db: 'main', action: 'restore', backupId: record.id });
    expect(restored).toBe(false);
    expect(approvals).toEqual([
      expect.objectContaining({
        kind: 'restore',
        requester: 'U0ALICE',
        command: '/backup main restore main-20261105-090000-ab12',
        database: 'main',
        binding: { db: 'main', kind: 'dump', backupId: record.id, sha256: record.sha256, target: 'scratch' },
        params: { db: 'main', backupId: record.id },
        required: 1,
      }),
    ]);
    expect(approvals[0]?.summary).toContain('into *scratch*');
    expect(outcome).toMatchObject({ result: 'requested' });
    expect(out.ephemeral[0]?.text).toContain('runs once someone approves it');
  });

  it('`restore` of a managed backup names a new cluster in the approval', async () => {
    const { cmd, approvals } = command({
      resolve: async () => ({ kind: 'managed', createdAt: '2026-11-05T02:10:00Z' }),
    });
    const { ctx } = context('main restore 2026-11-05T02:10:00Z');
    await cmd.run(ctx, { db: 'main', action: 'restore', backupId: '2026-11-05T02:10:00Z' });
    expect(approvals[0]?.summary).toMatch(/into a NEW cluster/);
    expect(approvals[0]?.binding).toEqual({
      db: 'main',
      kind: 'managed',
      backupCreatedAt: '2026-11-05T02:10:00Z',
    });
  });
});
