import { isDocksideError } from '../../src/errors.js';
import { type GitHubClient, parseRepo, type RepoRef, repoName } from '../../src/github/client.js';
import { escapeText } from '../../src/render/format.js';
import { type ComponentRun, shortSha } from './components.js';

/**
 * App Platform cannot pin a commit: a git component builds whatever its branch points
 * at when the deployment starts. So before production deploys, each production branch
 * must point exactly at the commit staging runs, or production would build commits
 * nobody approved.
 */

export interface BranchMove {
  /** Components built from this branch. */
  components: string[];
  repo: string;
  branch: string;
  /** Current head; absent when it could not be read. */
  from?: string;
  to: string;
  action: 'already_there' | 'fast_forward';
}

export interface BranchCheck {
  moves: BranchMove[];
  blockers: string[];
}

type GitRun = Extract<ComponentRun, { kind: 'git' }>;

export interface BranchTarget {
  /** Staging's run of the component (carries the commit). */
  staging: GitRun;
  /** Production's spec of the component (carries repo and branch). */
  production: GitRun;
}

export async function checkBranches(
  targets: BranchTarget[],
  github: GitHubClient | undefined,
  where: { appName: string; toEnv: string },
): Promise<BranchCheck> {
  const { appName, toEnv } = where;
  const blockers: string[] = [];
  const byBranch = new Map<string, { repo: RepoRef; branch: string; commit: string; components: string[] }>();

  for (const { staging, production } of targets) {
    const name = staging.name;
    const commit = staging.commit;
    if (!commit) continue; // reported by the planner
    const where = production.source.repo ?? production.source.repo_clone_url ?? 'its repository';
    const branch = production.source.branch;
    if (production.provider !== 'github') {
      blockers.push(
        `\`${name}\` builds from ${production.provider} (${where}); dockside can only check and move GitHub branches. ` +
          `Point branch \`${branch ?? '?'}\` at ${commit} yourself, then run \`/deploy ${appName} ${toEnv}\`.`,
      );
      continue;
    }
    if (!production.source.repo || !branch) {
      blockers.push(`Production's spec of \`${name}\` names no GitHub repository and branch.`);
      continue;
    }
    if (staging.source.repo && staging.source.repo.toLowerCase() !== production.source.repo.toLowerCase()) {
      blockers.push(
        `\`${name}\` builds from ${staging.source.repo} in staging but from ${production.source.repo} in production; ` +
          `staging's commit ${shortSha(commit)} may not exist there. Use the same repository for both.`,
      );
      continue;
    }
    let repo: RepoRef;
    try {
      repo = parseRepo(production.source.repo);
    } catch (err) {
      blockers.push(`\`${name}\`: ${escapeText(isDocksideError(err) ? err.message : String(err))}`);
      continue;
    }
    const key = `${repoName(repo).toLowerCase()}#${branch}`;
    const seen = byBranch.get(key);
    if (seen && seen.commit !== commit) {
      blockers.push(
        `\`${seen.components.join('`, `')}\` and \`${name}\` build from branch \`${branch}\` of ${repoName(repo)} ` +
          `but staging runs different commits for them (${shortSha(seen.commit)}, ${shortSha(commit)}); ` +
          'one branch cannot point at both. Redeploy staging so they match.',
      );
      continue;
    }
    if (seen) seen.components.push(name);
    else byBranch.set(key, { repo, branch, commit, components: [name] });
  }

  const moves: BranchMove[] = [];
  for (const target of byBranch.values()) {
    const result = await checkOne(target, github, where);
    if (typeof result === 'string') blockers.push(result);
    else moves.push(result);
  }
  return { moves, blockers };
}

async function checkOne(
  target: { repo: RepoRef; branch: string; commit: string; components: string[] },
  github: GitHubClient | undefined,
  { appName, toEnv }: { appName: string; toEnv: string },
): Promise<BranchMove | string> {
  const { repo, branch, commit, components } = target;
  const label = `branch \`${branch}\` of ${repoName(repo)}`;
  const base = { components, repo: repoName(repo), branch, to: commit };
  const pushIt = `\`git push origin ${commit}:refs/heads/${branch}\``;

  let head: string;
  try {
    if (!github) throw new Error('no GitHub client');
    head = await github.getBranchHead(repo, branch);
  } catch (err) {
    const why = isDocksideError(err) ? escapeText(err.message) : 'no GitHub client is configured.';
    if (github?.canWrite) return `Could not read ${label}: ${why}`;
    return (
      `dockside cannot read ${label} without a GitHub token (${why}) ` +
      `Add \`github.token\` to dockside.yml so /promote can check and fast-forward it, ` +
      `or move it to ${shortSha(commit)} yourself (${pushIt}) and run \`/deploy ${appName} ${toEnv}\`.`
    );
  }
  if (head === commit) return { ...base, from: head, action: 'already_there' };

  if (!github?.canWrite) {
    return (
      `Move ${label} from ${shortSha(head)} to ${shortSha(commit)} (${pushIt}), then run /promote ${appName} again. ` +
      '(With `github.token` in dockside.yml dockside fast-forwards it itself.)'
    );
  }

  let status: string;
  try {
    status = (await github.compare(repo, head, commit)).status;
  } catch (err) {
    return `Could not compare ${label} with staging's commit: ${escapeText(isDocksideError(err) ? err.message : String(err))}`;
  }
  if (status === 'ahead') return { ...base, from: head, action: 'fast_forward' };
  if (status === 'identical') return { ...base, from: head, action: 'already_there' };
  if (status === 'behind') {
    return (
      `${label} is at ${shortSha(head)}, which already contains staging's ${shortSha(commit)} and more: ` +
      'production would build commits nobody approved, and moving the branch back is not a fast-forward. ' +
      `Deploy ${shortSha(head)} to staging first, then /promote ${appName} again.`
    );
  }
  return (
    `${label} (${shortSha(head)}) has diverged from staging's ${shortSha(commit)}: moving it is not a fast-forward, ` +
    'so dockside refuses. Merge the branch into what staging runs, deploy that to staging, then promote.'
  );
}
