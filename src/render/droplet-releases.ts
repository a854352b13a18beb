import type { KnownBlock } from '@slack/types';
import type {
  PlanDescription,
  Release,
  ReleaseOutcome,
  ReleasePlan,
  ReleaseRecord,
  ServiceImage,
} from '../../handlers/deploy/target.js';
import type { ReleaseEntry, ReleaseList } from '../../handlers/droplet/rollback-list.js';
import { describeLock } from '../locks/describe.js';
import type { Lock } from '../locks/types.js';
import { shortDigest } from '../registry/image.js';
import type { SlackMessage } from '../slack/reply.js';
import { escapeText, formatDuration, mention, plural, slackDate, truncate } from './format.js';
import { rollbackButton } from './rollback-buttons.js';

/**
 * Droplet releases as Slack shows them: the rollback list with its pick buttons, and
 * the approval summaries of a rollback and a promotion. Everything read from the release
 * log, the hosts or a person (tags, failure reasons, names) is escaped here.
 */

const OUTCOME: Record<ReleaseOutcome, string> = {
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  rolled_back: ':leftwards_arrow_with_hook: failed, hosts put back',
  started: ':hourglass_flowing_sand: started, not finished',
};

/** `backend \`1a2b3c4d5e6f\` (v1.4.2)`, per service. */
export function describeImages(services: ServiceImage[]): string {
  return services
    .map(
      (s) => `${escapeText(s.service)} \`${shortDigest(s.digest)}\`${s.tag ? ` (${escapeText(s.tag)})` : ''}`,
    )
    .join(' · ');
}

/** The tags of a release in a few characters, for a button label (plain text). */
function tagsOf(services: ServiceImage[]): string {
  const tags = [...new Set(services.map((s) => s.tag).filter((t): t is string => Boolean(t)))];
  return tags.length === 0 ? 'no tag' : tags.join(', ');
}

function entryText(entry: ReleaseEntry): string {
  const r = entry.record;
  const kind = r.kind === 'rollback' && entry.sameAs ? `rollback to ${escapeText(entry.sameAs)}` : r.kind;
  const failure =
    r.outcome !== 'succeeded' && r.failure
      ? `\n${r.failure.host ? `on ${escapeText(r.failure.host)}: ` : ''}${escapeText(truncate(r.failure.reason, 300))}`
      : '';
  const mark = entry.current ? ' · :arrow_left: *running now*' : '';
  return (
    `*${escapeText(r.id)}* · ${kind} · ${OUTCOME[r.outcome]} · ${mention(r.by)} · ${slackDate(r.at)}${mark}\n` +
    `${describeImages(r.services)}${failure}`
  );
}

export interface ReleaseListInput {
  app: string;
  env: string;
  list: ReleaseList;
  approval: boolean;
  lock: Lock | null;
  /** `--list <current id>@<ms>`: the state the buttons were made in; none when it is unknown. */
  token?: string;
  ttlMs: number;
  /** For the ages on the buttons. */
  now: number;
}

/** `/rollback api production`: the release log, newest first, one pick button per release it can go back to. */
export function dropletReleaseList(input: ReleaseListInput): SlackMessage {
  const { app, env, list } = input;
  const label = `${app} ${env}`;
  if (list.entries.length === 0) {
    return { text: `${label} has no releases in its release log yet: nothing to roll back to.` };
  }
  const how = input.approval
    ? 'Picking one asks for approval first.'
    : 'Picking one rolls back at once (after you confirm).';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Last ${plural(list.entries.length, 'release')} of ${label}* (newest first). ${how} ` +
          `A rollback re-deploys that release's digests host by host, without a pull where the images are still there, ` +
          `and runs no migration. The buttons act for ${formatDuration(input.ttlMs)}, and only while ${label} runs what it runs now.`,
      },
    },
  ];
  if (list.hostsProblem || !input.token) {
    const why = list.hostsProblem
      ? escapeText(truncate(list.hostsProblem, 600))
      : 'their release file names no release';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `:warning: What the hosts run could not be told (${why}), so the list has no buttons. ` +
          `\`/rollback ${label} &lt;release-id&gt;\` rolls back to a release by its id.`,
      },
    });
  }
  if (input.lock) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:lock: ${label} is ${describeLock(input.lock)}. Rollbacks are refused until \`/unlock ${label}\`.`,
      },
    });
  }
  for (const entry of list.entries) {
    const r = entry.record;
    const pick =
      input.token && !entry.notPickable
        ? rollbackButton(
            `Roll back to ${r.id} (${tagsOf(r.services)}, ${formatDuration(input.now - Date.parse(r.at))} ago)`,
            `${app} ${env} ${r.id} ${input.token}`,
            undefined,
            input.approval
              ? undefined
              : {
                  title: `Roll back ${label}?`,
                  text: `Roll ${label} back to ${escapeText(r.id)}: ${describeImages(r.services)}, host by host, now.`,
                  confirm: 'Roll back',
                },
          )
        : undefined;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(entryText(entry), 2900) },
      ...(pick ? { accessory: pick } : {}),
    });
  }
  return { text: `Releases of ${label}`, blocks: blocks.slice(0, 50) };
}

/** One line per service of a plan, escaped (target.describe gives plain text). */
function changeLines(description: PlanDescription): string[] {
  return description.lines.map((line) => `• ${escapeText(line)}`);
}

/** The approval card of a Droplet rollback: which release, and each service from → to. */
export function dropletRollbackSummary(
  plan: ReleasePlan,
  record: ReleaseRecord,
  description: PlanDescription,
): string {
  return [
    `*${escapeText(description.title)}* to release ${escapeText(record.id)} (a ${record.kind} by ${mention(record.by)}, ${slackDate(record.at)}):`,
    ...changeLines(description),
    `Host by host, ${plan.env} goes back to these digests; images still on a host are not pulled again. ` +
      'No migration runs: the database schema stays as it is now.',
  ].join('\n');
}

/** The approval card of a Droplet promotion: the source release, and each service from → to. */
export function dropletPromoteSummary(
  plan: ReleasePlan,
  from: { env: string; release: Release },
  description: PlanDescription,
  migrates: boolean,
): string {
  const source = from.release.id === 'unknown' ? '' : ` (release ${escapeText(from.release.id)})`;
  return [
    `*${escapeText(description.title)}*: ${plan.env} is to run exactly the digests ${from.env} runs now${source}:`,
    ...changeLines(description),
    `Host by host${migrates ? ', with the migration run once on the first host' : ''}. ` +
      `If ${from.env} or ${plan.env} moves before this is approved, the approval is void.`,
  ].join('\n');
}
