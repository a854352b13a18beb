import type { RollbackCandidate } from './list.js';
import type { RollbackCheck } from './validate.js';

/** Plain-text lines for rollback lists and approval messages (backticks only, no other markup). */

/** "`3f2a…` SUPERSEDED, 2 h 5 min ago: web commit 9a4df0b; commit 9a4df0b pushed to main". */
export function describeCandidate(c: RollbackCandidate): string {
  const marks = [c.active ? 'active now' : '', c.pinned ? 'pinned' : ''].filter(Boolean);
  const mark = marks.length > 0 ? ` (${marks.join(', ')})` : '';
  const runs = c.components.map((x) => `${x.name} ${x.runs}`).join(', ');
  const cause = c.cause ? `; ${c.cause}` : '';
  return `\`${c.id}\` ${c.phase}${mark}, ${c.age}: ${runs || 'no components reported'}${cause}`;
}

/** The lines an approval shows for a rollback: from, to, and every warning. */
export function describeRollbackCheck(
  check: RollbackCheck,
  where: { appName: string; env: string },
): string[] {
  const lines = [
    `${where.appName} ${where.env}: roll back from ${check.activeDeploymentId ?? 'nothing active'} to ${check.deployment.id}`,
  ];
  if (!check.valid && check.errorMessage) lines.push(`Cannot roll back: ${check.errorMessage}`);
  for (const w of check.warnings) lines.push(`Warning: ${w}`);
  if (check.valid) {
    lines.push(
      `The app will be pinned to the rollback and ${where.env} locked until \`/unlock ${where.appName} ${where.env}\`.`,
    );
  }
  return lines;
}
