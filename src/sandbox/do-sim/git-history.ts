import { randomBytes } from 'node:crypto';
import type { AppSpec } from '../../do/port.js';
import { componentsOf, gitSourceOf } from './types.js';

export const newSha = (): string => randomBytes(20).toString('hex');

/** One commit of a simulated repository: enough for GitHub's compare and fast-forward checks. */
export interface SimCommit {
  sha: string;
  /** Empty for a root commit. */
  parents: string[];
  message: string;
  /** ISO time. */
  date: string;
}

/**
 * The simulated git hosts behind App Platform's git sources: branch heads and each
 * repository's history, enough for deployments to know what they build and for the
 * fake GitHub's compare and fast-forward.
 */
export class SimGitHosts {
  /** `repo#branch` -> head commit: the simulated git hosts. */
  readonly heads = new Map<string, string>();
  /** repo -> sha -> commit: each repository's history (a push appends a child of the old head). */
  readonly commits = new Map<string, Map<string, SimCommit>>();

  constructor(protected readonly now: () => Date = () => new Date()) {}

  head(repo: string, branch: string): string {
    const key = `${repo}#${branch}`;
    let sha = this.heads.get(key);
    if (!sha) {
      sha = newSha();
      this.heads.set(key, sha);
      this.recordCommit(repo, { sha, parents: [], message: `Initial commit on ${branch}` });
    }
    return sha;
  }

  /** Adds a commit to a repository's history (no-op when the sha is already known). */
  recordCommit(repo: string, commit: Omit<SimCommit, 'date' | 'message'> & Partial<SimCommit>): SimCommit {
    let history = this.commits.get(repo);
    if (!history) {
      history = new Map();
      this.commits.set(repo, history);
    }
    const known = history.get(commit.sha);
    if (known) return known;
    const full: SimCommit = {
      message: `Commit ${commit.sha.slice(0, 7)}`,
      date: this.now().toISOString(),
      ...commit,
    };
    history.set(full.sha, full);
    return full;
  }

  /** A commit of `repo`; a branch head set without history (old seeds) counts as a root commit. */
  commit(repo: string, sha: string): SimCommit | undefined {
    const known = this.commits.get(repo)?.get(sha);
    if (known) return known;
    for (const [key, head] of this.heads) {
      if (head === sha && key.startsWith(`${repo}#`)) return this.recordCommit(repo, { sha, parents: [] });
    }
    return undefined;
  }

  /** The commits a new deployment of `spec` builds: every git component at its branch head. */
  headCommits(spec: AppSpec): Record<string, string> {
    const commits: Record<string, string> = {};
    for (const c of componentsOf(spec)) {
      const git = gitSourceOf(c);
      if (git) commits[c.name] = this.head(git.repo, git.branch);
    }
    return commits;
  }
}
