import type { FiledRequest } from '../approvals/service.js';
import type { NewApprovalRequest } from '../approvals/types.js';
import { DUMP_ID } from '../handlers/backup/dump.js';
import type { BackupOperations } from '../handlers/backup/index.js';
import { MANAGED_ID } from '../handlers/backup/list.js';
import { type Clock, systemClock } from '../src/clock.js';
import { usageError } from '../src/errors.js';
import { own } from '../src/own.js';
import {
  renderBackupList,
  renderDumpDone,
  renderDumpFailed,
  renderDumpProgress,
} from '../src/render/backup.js';
import { slackDate } from '../src/render/format.js';
import type { MessageRef } from '../src/slack/reply.js';
import { filedAnswer } from './approval.js';
import { typed } from './args.js';
import type { CommandDef } from './types.js';

export type BackupArgs =
  | { db: string; action: 'list' }
  | { db: string; action: 'now' }
  | { db: string; action: 'restore'; backupId: string };

export interface BackupCommandDeps {
  backups: Pick<BackupOperations, 'list' | 'dump' | 'resolve' | 'restoreTarget'>;
  /** Creates and posts the approval request; the approved request later calls backups.restore. */
  requestApproval: (request: NewApprovalRequest) => Promise<FiledRequest | undefined>;
  clock?: Clock;
  /** chat.update is tier 3 (~50/min): the progress line changes at most this often. */
  progressIntervalMs?: number;
}

const USAGE = ['/backup <db> list', '/backup <db> now', '/backup <db> restore <backup-id>'];

export function createBackupCommand(deps: BackupCommandDeps): CommandDef<BackupArgs> {
  const clock = deps.clock ?? systemClock;
  const interval = deps.progressIntervalMs ?? 5000;
  return {
    name: 'backup',
    usage: USAGE,
    summary: 'list backups of a database, take a dump now, or restore one (with approval)',
    audited: true,
    parse(text, config) {
      const [db, action, id, ...extra] = text.trim().split(/\s+/).filter(Boolean);
      if (!db) throw usageError('Name a database.', USAGE[0]!);
      if (!own(config.databases, db)) {
        const known = Object.keys(config.databases).join(', ') || 'none configured';
        throw usageError(`There is no database ${typed(db)} (known: ${known}).`, USAGE[0]!);
      }
      if (action === 'list' || action === 'now') {
        if (id) throw usageError(`\`${action}\` takes nothing after it.`, USAGE);
        return { db, action };
      }
      if (action === 'restore') {
        if (!id || extra.length > 0) throw usageError('Give exactly one backup id.', USAGE[2]!);
        if (!DUMP_ID.test(id) && !MANAGED_ID.test(id)) {
          throw usageError(`${typed(id)} is not a backup id; \`/backup ${db} list\` shows them.`, USAGE[2]!);
        }
        return { db, action, backupId: id };
      }
      throw usageError(action ? `Unknown action ${typed(action)}.` : 'Say what to do.', USAGE);
    },
    access: (args) => ({ action: args.action === 'restore' ? 'restore' : 'backup', database: args.db }),
    target: (args) => ({ database: args.db }),
    async run(ctx, args) {
      const { user } = ctx.invocation;
      if (args.action === 'list') {
        const list = await deps.backups.list(args.db);
        await ctx.reply.ephemeral(renderBackupList(args.db, list, clock.now()));
        return { result: 'succeeded', detail: `${list.items.length} backups listed` };
      }
      if (args.action === 'now') {
        const started = clock.now();
        let ref: MessageRef | undefined;
        let lastUpdate = started;
        try {
          const record = await deps.backups.dump({
            db: args.db,
            requestedBy: user,
            onStarted: async () => {
              ref = await ctx.reply.inChannel(renderDumpProgress(args.db, user, 0, 0));
            },
            onProgress: (bytes) => {
              const now = clock.now();
              if (!ref || now - lastUpdate < interval) return;
              lastUpdate = now;
              ctx.slack
                .update(ref, renderDumpProgress(args.db, user, bytes, now - started))
                .catch((err: unknown) => {
                  ctx.log.warn({ err }, 'backup progress update failed');
                });
            },
          });
          const done = renderDumpDone(record);
          if (ref) await ctx.slack.update(ref, done);
          else await ctx.reply.inChannel(done);
          return {
            result: 'succeeded',
            detail: `dump ${record.id} ${record.size} bytes sha256 ${record.sha256}`,
          };
        } catch (err) {
          // Once the channel saw "dumping…", it must also see that it failed.
          if (ref)
            await ctx.slack
              .update(ref, renderDumpFailed(args.db, (err as Error).message))
              .catch(() => undefined);
          throw err;
        }
      }
      const backup = await deps.backups.resolve(args.db, args.backupId);
      const command = `${ctx.invocation.commandText} ${ctx.invocation.text}`.trim();
      const base = {
        kind: 'restore' as const,
        requester: user,
        channel: ctx.invocation.channel,
        command,
        database: args.db,
        params: { db: args.db, backupId: args.backupId },
        required: ctx.config.approvals.required,
      };
      let filed: FiledRequest | undefined;
      if (backup.kind === 'managed') {
        filed = await deps.requestApproval({
          ...base,
          summary: `Restore the managed backup of *${args.db}* from ${slackDate(backup.createdAt)} (id \`${backup.createdAt}\`) into a NEW cluster of the same size, region and version (the source is not touched).`,
          binding: { db: args.db, kind: 'managed', backupCreatedAt: backup.createdAt },
        });
      } else {
        const target = deps.backups.restoreTarget(args.db);
        filed = await deps.requestApproval({
          ...base,
          summary: `Restore dump \`${backup.record.id}\` of *${args.db}* into *${target}*, replacing what is in ${target} (the source is not touched).`,
          binding: {
            db: args.db,
            kind: 'dump',
            backupId: backup.record.id,
            sha256: backup.record.sha256,
            target,
          },
        });
      }
      if (filed) {
        await ctx.reply.ephemeral({ text: filedAnswer(ctx, filed) });
        if (filed.duplicate) return { result: 'refused', detail: `identical request ${filed.id} is pending` };
      } else {
        await ctx.reply.ephemeral({
          text: `Restore of ${args.backupId} requested; it runs once someone approves it.`,
        });
      }
      return { result: 'requested', detail: `restore ${args.backupId} of ${args.db}` };
    },
  };
}
