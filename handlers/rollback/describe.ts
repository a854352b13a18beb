import { escapeText, shortId } from '../../src/render/format.js';
import type { RollbackCandidate } from './list.js';
import type { RollbackCheck } from './validate.js';

/**
 * mrkdwn lines for rollback lists and approval messages; what DigitalOcean wrote
 * (causes, messages) is escaped here, where it is put into mrkdwn.
 */

export const SAME_COMMIT_NOTE = 'runs the same code as the active deployment: rolling back changes no code';

/** "`3f2a1b9c` SUPERSEDED, 2 h 5 min ago: web commit 9a4df0b; commit 9a4df0b pushed to main". */
export function describeCandidate(c: RollbackCandidate): string {
  const marks = [c.active ? 'active now' : '', c.pinned ? 'pinned' : ''].filter(Boolean);
  const mark = marks.length > 0 ? ` (${marks.join(', ')})` : '';
  const runs = c.components.map((x) => `${x.name} ${x.runs}`).join(', ');
  const cause = c.cause ? `; ${escapeText(c.cause)}` : '';
  const same = c.sameAsActive ? `\n:warning: ${SAME_COMMIT_NOTE}` : '';
  return `\`${shortId(c.id)}\` ${c.phase}${mark}, ${c.age}: ${runs || 'no components reported'}${cause}${same}`;
}

/** The lines an approval shows for a rollback: from, to, and every warning. */
export function describeRollbackCheck(
  check: RollbackCheck,
  where: { appName: string; env: string },
): string[] {
  const from = check.activeDeploymentId ? `\`${shortId(check.activeDeploymentId)}\`` : 'nothing active';
  const lines = [
    `${where.appName} ${where.env}: roll back from ${from} to \`${shortId(check.deployment.id)}\``,
  ];
  if (!check.valid && check.errorMessage) lines.push(`Cannot roll back: ${check.errorMessage}`);
  for (const w of check.warnings) lines.push(`:warning: ${w}`);
  if (check.valid) {
    lines.push(
      `The app will be pinned to the rollback and ${where.env} locked until \`/unlock ${where.appName} ${where.env}\`.`,
    );
  }
  return lines;
}
