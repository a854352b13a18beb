import type { Clock } from '../../src/clock.js';
import type { Deployment, DeploymentPhase, DoClient } from '../../src/do/port.js';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import { formatDuration, shortId } from '../../src/render/format.js';
import { rollbackButton } from '../../src/render/rollback-buttons.js';
import { componentRuns, describeRun, runIdentity, shortDigest, shortSha } from '../promote/components.js';

export interface RollbackCandidate {
  id: string;
  phase: DeploymentPhase;
  cause: string;
  createdAt: string;
  /** "2 h 5 min ago". */
  age: string;
  /** The deployment the app runs now. */
  active: boolean;
  /** The rollback deployment the app is pinned to, if any. */
  pinned: boolean;
  /** Only a deployment that was ACTIVE once (now SUPERSEDED) can be rolled back to. */
  selectable: boolean;
  /** Per component: "commit 9a4df0b" or "ghcr.io/acme/api@sha256:…". */
  components: Array<{ name: string; runs: string }>;
  /** "commit 9a4df0b" (or a digest): what the first component runs, for button labels. */
  runsShort: string;
  /** Runs exactly the commits/digests the active deployment runs: rolling back changes no code. */
  sameAsActive: boolean;
}

/** Whether two deployments run the same commits and digests (known for every component). */
export function sameRuns(a: Deployment, b: Deployment): boolean {
  const ids = (d: Deployment) =>
    componentRuns(d, d.spec)
      .map((r) => `${r.name}=${runIdentity(r) ?? '?'}`)
      .sort()
      .join(',');
  const left = ids(a);
  return left !== '' && !left.includes('=?') && left === ids(b);
}

/** "commit 9a4df0b" or a short digest: what a deployment's first component runs, for button labels. */
export function runsShort(d: Deployment): string {
  const run = componentRuns(d, d.spec)[0];
  if (!run || run.kind === 'unknown') return 'unknown source';
  if (run.kind === 'git') return run.commit ? `commit ${shortSha(run.commit)}` : 'unknown commit';
  return run.digest ? shortDigest(run.digest) : run.tag ? `tag ${run.tag}` : 'unknown image';
}

export interface ListRollbackCandidatesInput {
  do: DoClient;
  appId: string;
  limit?: number;
  clock: Clock;
}

/** The last deployments of an app, newest first, to pick a rollback target from. */
export async function listRollbackCandidates(
  input: ListRollbackCandidatesInput,
): Promise<RollbackCandidate[]> {
  const limit = input.limit ?? 10;
  const [app, listed] = await Promise.all([
    input.do.getApp(input.appId),
    input.do.listDeployments(input.appId, { perPage: limit }),
  ]);
  const newest = [...listed].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
  // Image digests live in a deployment's spec, which a listing may leave out.
  const deployments = await Promise.all(
    newest.map((d) => (d.spec ? d : input.do.getDeployment(input.appId, d.id).catch(() => d))),
  );
  const activeId = app.activeDeployment?.id;
  const pinnedId = app.pinnedDeployment?.id;
  const active = deployments.find((d) => d.id === activeId);
  return deployments.map((d) => ({
    id: d.id,
    phase: d.phase,
    cause: d.cause,
    createdAt: d.createdAt,
    age: `${formatDuration(input.clock.now() - Date.parse(d.createdAt))} ago`,
    active: d.id === activeId,
    pinned: d.id === pinnedId,
    selectable: d.id !== activeId && d.phase === 'SUPERSEDED',
    components: componentRuns(d, d.spec).map((r) => ({ name: r.name, runs: describeRun(r) })),
    runsShort: runsShort(d),
    sameAsActive: active !== undefined && d.id !== activeId && sameRuns(d, active),
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The deployment `id` names, which must belong to the app. A unique prefix of at
 * least 6 characters is accepted, since people copy ids from a list.
 */
export async function findDeployment(
  doClient: DoClient,
  appId: string,
  id: string,
  where: { appName?: string; env?: string } = {},
): Promise<Deployment> {
  const label = where.appName && where.env ? `${where.appName} ${where.env}` : `app ${appId}`;
  const notFound = new DocksideError(
    'rollback_invalid',
    `Deployment ${id} is not a deployment of ${label}.`,
    where.appName && where.env
      ? { hint: `\`/rollback ${where.appName} ${where.env}\` lists its recent deployments.` }
      : {},
  );
  if (UUID.test(id)) {
    try {
      return await doClient.getDeployment(appId, id);
    } catch (err) {
      if (isDocksideError(err, 'do_not_found')) throw notFound;
      throw err;
    }
  }
  if (!/^[0-9a-f-]{6,}$/i.test(id)) throw notFound;
  const matches = (await doClient.listDeployments(appId, { perPage: 50 })).filter((d) =>
    d.id.toLowerCase().startsWith(id.toLowerCase()),
  );
  if (matches.length > 1) {
    throw new DocksideError('rollback_invalid', `${id} matches ${matches.length} deployments of ${label}.`, {
      hint: 'Give more of the id.',
    });
  }
  const [match] = matches;
  if (!match) throw notFound;
  return match.spec ? match : doClient.getDeployment(appId, match.id);
}

/**
 * The "Roll back to <id> (commit 1a2b3c4, 2 h ago)" button that offers the deployment that
 * served before: it says what it picks, and runs `/rollback` (grants, lock, approval apply).
 */
export async function rollBackToPreviousButton(
  deps: { do: DoClient; clock: Clock },
  target: { app: string; env: string; appId: string },
  previous: string,
) {
  const before = await deps.do.getDeployment(target.appId, previous).catch(() => undefined);
  const facts = before
    ? ` (${runsShort(before)}, ${formatDuration(deps.clock.now() - Date.parse(before.createdAt))} ago)`
    : '';
  return rollbackButton(
    `Roll back to ${shortId(previous)}${facts}`,
    `${target.app} ${target.env} ${previous}`,
    'danger',
  );
}
