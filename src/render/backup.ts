import { formatAge, formatBytes } from '../../handlers/backup/format.js';
import type { BackupList } from '../../handlers/backup/list.js';
import type { DumpRecord } from '../../handlers/backup/types.js';
import type { SlackMessage } from '../slack/reply.js';

const MAX_ROWS = 25;

/** `/backup <db> list`: one line per backup in a code block, so ids can be copied. */
export function renderBackupList(db: string, list: BackupList, now: number): SlackMessage {
  const rows = list.items.slice(0, MAX_ROWS).map((item) => {
    const age = formatAge(now - Date.parse(item.createdAt));
    const size = formatBytes(item.size).padStart(8);
    if (item.kind === 'managed') return `managed  ${item.id.padEnd(30)} ${size}  ${age} ago`;
    const who = item.record.requestedBy === 'dockside' ? 'schedule' : item.record.requestedBy;
    return `dump     ${item.id.padEnd(30)} ${size}  ${age} ago  ${item.record.destination}  by ${who}`;
  });
  const lines = [`*Backups of ${db}* (newest first)`];
  if (rows.length === 0) lines.push(`_No backups yet._ \`/backup ${db} now\` takes a dump.`);
  else lines.push(`\`\`\`${rows.join('\n')}\`\`\``);
  if (list.items.length > MAX_ROWS) lines.push(`…and ${list.items.length - MAX_ROWS} older.`);
  if (list.managedError) lines.push(`:warning: Managed backups could not be listed: ${list.managedError}.`);
  lines.push(`Restore with \`/backup ${db} restore <id>\` (needs an approval).`);
  const text = lines.join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] };
}

export function renderDumpProgress(db: string, user: string, bytes: number, elapsedMs: number): SlackMessage {
  return {
    text: `:hourglass_flowing_sand: Dumping *${db}* for <@${user}>: ${formatBytes(bytes)} so far (${formatAge(elapsedMs)}).`,
  };
}

export function renderDumpDone(record: DumpRecord): SlackMessage {
  return {
    text:
      `:white_check_mark: Dump of *${record.db}* verified: \`${record.id}\`, ${formatBytes(record.size)} in ` +
      `${formatAge(record.durationMs)}, sha256 \`${record.sha256.slice(0, 16)}…\`, stored at ${record.location}.`,
  };
}

export function renderDumpFailed(db: string, message: string): SlackMessage {
  return { text: `:x: The dump of *${db}* failed: ${message} Nothing was kept.` };
}
