import { formatAge, formatBytes } from '../../handlers/backup/format.js';
import type { BackupList } from '../../handlers/backup/list.js';
import type { DumpRecord } from '../../handlers/backup/types.js';
import type { SlackMessage } from '../slack/reply.js';
import { escapeText, mention, truncate } from './format.js';

const MAX_ROWS = 25;

/** `/backup <db> list`: one line per backup, its id in a code span so it can be copied. */
export function renderBackupList(db: string, list: BackupList, now: number): SlackMessage {
  const rows = list.items.slice(0, MAX_ROWS).map((item) => {
    const facts = [`${formatBytes(item.size)}`, `${formatAge(now - Date.parse(item.createdAt))} ago`];
    if (item.kind === 'managed') return `• \`${item.id}\` managed backup, ${facts.join(', ')}`;
    const who = item.record.requestedBy === 'dockside' ? 'the schedule' : mention(item.record.requestedBy);
    return `• \`${item.id}\` dump, ${facts.join(', ')}, ${escapeText(item.record.destination)}, by ${who}`;
  });
  const lines = [`*Backups of ${db}* (newest first)`];
  if (rows.length === 0) lines.push(`_No backups yet._ \`/backup ${db} now\` takes a dump.`);
  else lines.push(...rows);
  if (list.items.length > MAX_ROWS) lines.push(`…and ${list.items.length - MAX_ROWS} older.`);
  if (list.managedError)
    lines.push(`:warning: Managed backups could not be listed: ${escapeText(list.managedError)}.`);
  if (rows.length > 0)
    lines.push(
      `Restore one with \`/backup ${db} restore &lt;id&gt;\`, the id as listed above (needs an approval).`,
    );
  const text = lines.join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }] };
}

export function renderDumpProgress(db: string, user: string, bytes: number, elapsedMs: number): SlackMessage {
  return {
    text: `:hourglass_flowing_sand: Dumping *${db}* for ${mention(user)}: ${formatBytes(bytes)} so far (${formatAge(elapsedMs)}).`,
  };
}

export function renderDumpDone(record: DumpRecord): SlackMessage {
  return {
    text:
      `:white_check_mark: Dump of *${record.db}* verified: \`${record.id}\`, ${formatBytes(record.size)} in ` +
      `${formatAge(record.durationMs)}, sha256 \`${record.sha256.slice(0, 16)}…\`, stored at \`${escapeText(record.location, 'code')}\`.`,
  };
}

export function renderDumpFailed(db: string, message: string): SlackMessage {
  return { text: `:x: The dump of *${db}* failed: ${escapeText(message)} Nothing was kept.` };
}
