/**
 * The fake GitHub's view of the simulated git history: repository names matched as GitHub
 * matches them, refs resolved as GitHub resolves them, and compare counted over the real
 * history (ahead/behind/identical/diverged).
 */
import type { AppPlatformSim } from './app-platform.js';
import type { SimCommit } from './git-history.js';

/** GitHub's owner/repo names are case-insensitive; the simulator keeps the spec's spelling. */
export function findRepo(platform: AppPlatformSim, wanted: string): string | undefined {
  const lower = wanted.toLowerCase();
  for (const repo of platform.commits.keys()) if (repo.toLowerCase() === lower) return repo;
  for (const key of platform.heads.keys()) {
    const repo = key.slice(0, key.lastIndexOf('#'));
    if (repo.toLowerCase() === lower) return repo;
  }
  return undefined;
}

export function branchHead(platform: AppPlatformSim, repo: string, branch: string): string | undefined {
  return platform.heads.get(`${repo}#${branch}`);
}

/** A branch name, a full sha or an unambiguous sha prefix (7+ hex digits), as GitHub resolves them. */
export function resolve(platform: AppPlatformSim, repo: string, ref: string): SimCommit | undefined {
  const head = branchHead(platform, repo, ref.replace(/^refs\/heads\//, '').replace(/^heads\//, ''));
  if (head) return platform.commit(repo, head);
  if (!/^[0-9a-f]{4,40}$/i.test(ref)) return undefined;
  const exact = platform.commit(repo, ref.toLowerCase());
  if (exact) return exact;
  const matches = [...(platform.commits.get(repo)?.values() ?? [])].filter((c) =>
    c.sha.startsWith(ref.toLowerCase()),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/** Every commit reachable from `sha` (itself included), nearest first. */
export function ancestry(platform: AppPlatformSim, repo: string, sha: string): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.shift() ?? '';
    if (seen.has(next)) continue;
    seen.add(next);
    order.push(next);
    queue.push(...(platform.commit(repo, next)?.parents ?? []));
  }
  return order;
}

export interface Comparison {
  status: 'ahead' | 'behind' | 'identical' | 'diverged';
  aheadBy: number;
  behindBy: number;
  mergeBase?: string;
  /** Commits in head that base lacks, oldest first. */
  commits: string[];
}

/** GitHub's compare, read as "head is <status> of base". */
export function compareCommits(
  platform: AppPlatformSim,
  repo: string,
  base: string,
  head: string,
): Comparison {
  const fromBase = ancestry(platform, repo, base);
  const fromHead = ancestry(platform, repo, head);
  const inBase = new Set(fromBase);
  const inHead = new Set(fromHead);
  const ahead = fromHead.filter((s) => !inBase.has(s));
  const behindBy = fromBase.filter((s) => !inHead.has(s)).length;
  const mergeBase = fromHead.find((s) => inBase.has(s));
  const status =
    ahead.length === 0 && behindBy === 0
      ? 'identical'
      : behindBy === 0
        ? 'ahead'
        : ahead.length === 0
          ? 'behind'
          : 'diverged';
  return {
    status,
    aheadBy: ahead.length,
    behindBy,
    ...(mergeBase ? { mergeBase } : {}),
    commits: ahead.reverse(),
  };
}
