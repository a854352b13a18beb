/** GitHub's JSON for a commit and a branch ref, as the fake GitHub answers them. */
import type { SimCommit } from './git-history.js';

export function commitJson(api: string, repo: string, c: SimCommit) {
  const person = { name: 'Sim Developer', email: 'dev@example.com', date: c.date };
  return {
    sha: c.sha,
    node_id: `C_${c.sha.slice(0, 20)}`,
    commit: {
      author: person,
      committer: person,
      message: c.message,
      tree: { sha: c.sha.split('').reverse().join(''), url: `${api}/repos/${repo}/git/trees/${c.sha}` },
      url: `${api}/repos/${repo}/git/commits/${c.sha}`,
      comment_count: 0,
    },
    url: `${api}/repos/${repo}/commits/${c.sha}`,
    html_url: `https://github.com/${repo}/commit/${c.sha}`,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/repos/${repo}/commits/${p}`,
      html_url: `https://github.com/${repo}/commit/${p}`,
    })),
  };
}

export function refJson(api: string, repo: string, branch: string, sha: string) {
  return {
    ref: `refs/heads/${branch}`,
    node_id: `REF_${Buffer.from(`${repo}#${branch}`).toString('base64url')}`,
    url: `${api}/repos/${repo}/git/refs/heads/${branch}`,
    object: { sha, type: 'commit', url: `${api}/repos/${repo}/git/commits/${sha}` },
  };
}
