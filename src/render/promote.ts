import type { BranchMove } from '../../handlers/promote/branches.js';
import { type ComponentRun, describeRun, shortDigest, shortSha } from '../../handlers/promote/components.js';
import type { ComponentChange, PromotionPlan } from '../../handlers/promote/plan.js';
import { formatDuration, shortId } from './format.js';

/**
 * The promotion card's lines for the approval message and replies. No Slack markup beyond
 * backticks, so the same lines serve blocks, the sandbox and audit detail.
 */

/** "web: commit 1a2b3c4 -> 9a4df0b", "worker: ghcr.io/acme/worker@sha256:abc… (unchanged)". */
export function describeChange(change: ComponentChange): string {
  if (change.unchanged) return `${change.name}: ${describeRun(change.to)} (unchanged)`;
  if (!change.from) return `${change.name}: (not running) -> ${describeRun(change.to)}`;
  return `${change.name}: ${describeRun(change.from)} -> ${target(change.from, change.to)}`;
}

/** The right-hand side drops what did not change (the word "commit", the image name). */
function target(from: ComponentRun, to: ComponentRun): string {
  if (to.kind === 'git' && from.kind === 'git' && to.commit) return shortSha(to.commit);
  if (to.kind === 'image' && from.kind === 'image' && to.digest && from.image === to.image) {
    return shortDigest(to.digest);
  }
  return describeRun(to);
}

/** "staging has been ACTIVE for 3 h 12 min". */
export function describeActiveAge(plan: Pick<PromotionPlan, 'from' | 'fromActiveForMs'>): string {
  return `${plan.from.env} has been ACTIVE for ${formatDuration(plan.fromActiveForMs)}`;
}

/** "move branch `production` of acme/web from 1a2b3c4 to 9a4df0b (fast-forward)". */
export function describeBranchMove(move: BranchMove): string {
  const label = `branch \`${move.branch}\` of ${move.repo}`;
  if (move.action === 'already_there') return `${label} already points at ${shortSha(move.to)}`;
  const from = move.from ? ` from ${shortSha(move.from)}` : '';
  return `move ${label}${from} to ${shortSha(move.to)} (fast-forward)`;
}

/** What will happen on approval, step by step. */
export function describeActions(plan: PromotionPlan): string[] {
  const lines = plan.branchMoves.filter((m) => m.action === 'fast_forward').map(describeBranchMove);
  const images = plan.components.filter((c) => c.kind === 'image' && !c.unchanged).map((c) => c.name);
  if (plan.deploy.kind === 'update_spec') {
    const what =
      images.length > 0 ? ` (${images.join(', ')} pinned by digest)` : ' (images pinned by digest)';
    lines.push(`update ${plan.to.env}'s app spec${what} and deploy it`);
    if (plan.deploy.autodeployOff.length > 0) {
      const names = plan.deploy.autodeployOff.map((n) => `\`${n}\``).join(', ');
      lines.push(
        `turn off autodeploy (deploy_on_push) for ${names} in ${plan.to.env}: App Platform autodeploys only images given by tag, not by digest`,
      );
    }
  } else {
    lines.push(`deploy ${plan.to.env}`);
  }
  lines.push(`check that ${plan.to.env} then runs exactly these commits and digests`);
  return lines;
}

/** Every line of a plan: the difference, staging's age, then the steps, or why it cannot run. */
export function describePlan(plan: PromotionPlan): string[] {
  const to = plan.toDeploymentId ? `\`${shortId(plan.toDeploymentId)}\`` : 'nothing deployed';
  const head = `${plan.appName}: ${plan.from.env} (\`${shortId(plan.fromDeploymentId)}\`) -> ${plan.to.env} (${to})`;
  const lines = [head, ...plan.components.map(describeChange), describeActiveAge(plan)];
  if (plan.nothingToDo) {
    lines.push(`Nothing to promote: ${plan.to.env} already runs exactly what ${plan.from.env} runs.`);
    return lines;
  }
  if (plan.blockers.length > 0) {
    lines.push('Cannot promote:', ...plan.blockers.map((b) => `- ${b}`));
    return lines;
  }
  lines.push('On approval dockside will:', ...describeActions(plan).map((a) => `- ${a}`));
  return lines;
}
