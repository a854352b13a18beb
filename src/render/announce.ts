import type { Deployment } from '../do/port.js';
import { escapeText, truncate } from './format.js';
import { codeSpan } from './logs.js';

/** Log lines are cut in a message; the whole line is in the file. */
const LINE_CHARS = 160;

/** What a person's action in the control panel, doctl or the API did (godo's action names). */
const ACTIONS: Record<string, string> = {
  CREATE_DEPLOYMENT: 'a deployment',
  UPDATE_SPEC: 'an app spec update',
  RESET_DATABASE_PASSWORD: 'a database password reset',
  ROLLBACK_APP: 'a rollback',
  REVERT_APP_ROLLBACK: 'a rollback revert',
  UPGRADE_BUILDPACK: 'a buildpack upgrade',
  RESTART: 'a restart',
};

const TYPES: Record<string, string> = {
  MAINTENANCE: 'App Platform maintenance',
  AUTO_ROLLBACK: 'an automatic rollback by App Platform after a failed deployment',
  MANUAL_ROLLBACK: 'a rollback made outside dockside',
  UPDATE_DATABASE_TRUSTED_SOURCES: "a change of a database's trusted sources",
  AUTOSCALED: 'the autoscaler',
};

/**
 * One line saying who or what started a deployment dockside did not start, from its
 * `cause_details` (falling back to the free-text `cause`). Every value comes from
 * DigitalOcean or a git host (commit messages, names) and is escaped.
 */
export function describeCause(deployment: Deployment): string {
  const d = deployment.causeDetails;
  const e = (s: string) => escapeText(s);
  const c = codeSpan;
  const git = d?.gitPush;
  if (git && (git.commitSha || git.branch)) {
    const sha = git.commitSha ? ` of ${c(git.commitSha.slice(0, 7))}` : '';
    const who = git.commitAuthor || git.username;
    const by = who ? ` by ${e(who)}` : '';
    const where = git.branch ? ` to ${c(git.branch)}${git.repo ? ` (${e(git.repo)})` : ''}` : '';
    const subject = git.commitMessage?.split('\n')[0]?.trim();
    const said = subject ? `: “${e(truncate(subject, 120))}”` : '';
    return `Started by a git push${sha}${by}${where}${said}.`;
  }
  const docr = d?.docrPush;
  if (docr && (docr.repository || docr.tag)) {
    const image = [docr.registry, docr.repository].filter(Boolean).join('/');
    const tag = docr.tag ? `:${docr.tag}` : '';
    return `Started by a push of the image ${c(`${image}${tag}`)} to the container registry.`;
  }
  const action = d?.digitaloceanUserAction;
  if (action) {
    const who = action.user?.fullName || action.user?.email;
    const what = ACTIONS[action.name ?? ''] ?? 'a change';
    return `Started by ${what} ${who ? `by ${e(who)} ` : ''}in the DigitalOcean control panel, doctl or the API.`;
  }
  if (d?.autoscaled) return 'Started by the autoscaler.';
  const type = d?.type ? TYPES[d.type] : undefined;
  if (type) return `Started by ${type}.`;
  if (d?.internal) return 'Started by App Platform itself.';
  return deployment.cause
    ? `Started outside dockside: ${e(truncate(deployment.cause, 200))}.`
    : 'Started outside dockside; DigitalOcean gave no cause.';
}

/**
 * The end of a deployment's runtime log, for one that went live and failed its health
 * check: the lines are redacted already (handlers/logs), escaped here for a code block.
 */
export function runLogExcerpt(lines: string[], maxChars = 1200): string {
  if (lines.length === 0) return '_Its runtime log has no lines yet._';
  let shown = lines;
  const render = () =>
    `Last ${shown.length} lines of its RUN log:\n\`\`\`${shown.map((l) => escapeText(truncate(l, LINE_CHARS), 'code')).join('\n')}\`\`\``;
  while (shown.length > 1 && render().length > maxChars) shown = shown.slice(1);
  return render();
}
