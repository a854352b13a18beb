import { type Clock, sleep } from '../../src/clock.js';
import type { AppSpec, Deployment, DoClient } from '../../src/do/port.js';
import { DocksideError, isDocksideError } from '../../src/errors.js';
import { type GitHubClient, parseRepo } from '../../src/github/client.js';
import { describeLock } from '../../src/locks/describe.js';
import type { LockStore } from '../../src/locks/types.js';
import { COMPONENT_KEY_PREFIX, shortIdentity } from './binding.js';
import type { BranchMove } from './branches.js';
import { componentRuns, runIdentity, shortSha } from './components.js';
import { type PromotionPlan, planPromotion } from './plan.js';

/** What an approval carries across a restart: the request's target and its binding. */
export type ApprovedPromotion = Pick<PromotionPlan, 'appName' | 'from' | 'to' | 'binding'>;

export interface ExecutePromotionInput {
  do: DoClient;
  github?: GitHubClient;
  /** Checked again here: a lock may have been taken while the request waited. */
  locks?: LockStore;
  clock: Clock;
  plan: ApprovedPromotion;
}

export interface PromotionResult {
  deploymentId: string;
  /** Branches dockside fast-forwarded. */
  moved: BranchMove[];
  /** The fresh plan that was run (equal in substance to the approved one). */
  plan: PromotionPlan;
}

/**
 * Runs an approved promotion. It always plans again first: an approval is bound to
 * exactly what it showed, so if staging or production moved, nothing runs.
 */
export async function executePromotion(input: ExecutePromotionInput): Promise<PromotionResult> {
  const { appName, from, to, binding } = input.plan;
  if (input.locks) {
    const lock = await input.locks.get(appName, to.env);
    if (lock) {
      throw new DocksideError('env_locked', `${to.env} of ${appName} is ${describeLock(lock)}`, {
        hint: `\`/unlock ${appName} ${to.env}\`, then ask for a new /promote.`,
      });
    }
  }
  const fresh = await planPromotion({
    do: input.do,
    appName,
    from,
    to,
    clock: input.clock,
    expectBinding: binding,
    ...(input.github ? { github: input.github } : {}),
  });
  if (fresh.blockers.length > 0) {
    const code = fresh.toBusyDeploymentId ? 'deploy_in_progress' : 'promote_not_possible';
    throw new DocksideError(code, `Cannot promote ${appName} now: ${fresh.blockers.join(' ')}`);
  }
  if (fresh.nothingToDo) {
    throw new DocksideError('promote_not_possible', `${to.env} already runs exactly what ${from.env} runs.`);
  }

  const moved: BranchMove[] = [];
  for (const move of fresh.branchMoves) {
    if (move.action !== 'fast_forward') continue;
    if (!input.github)
      throw new DocksideError('promote_not_possible', 'No GitHub client to move branches with.');
    try {
      await input.github.fastForward(parseRepo(move.repo), move.branch, move.to);
    } catch (err) {
      const done = moved.map((m) => `\`${m.branch}\` of ${m.repo} -> ${shortSha(m.to)}`).join(', ');
      const message = err instanceof Error ? err.message : String(err);
      throw new DocksideError(
        'promote_not_possible',
        `${message}${done ? ` Already moved: ${done}.` : ''} Nothing was deployed.`,
        { cause: err, ...(isDocksideError(err) && err.hint ? { hint: err.hint } : {}) },
      );
    }
    moved.push(move);
  }

  const deploymentId =
    fresh.deploy.kind === 'update_spec'
      ? await updateSpec(input.do, fresh, fresh.deploy)
      : (await input.do.createDeployment(to.appId)).id;
  return { deploymentId, moved, plan: fresh };
}

/** How long to look for the deployment a spec update caused when DO answered before it existed. */
const FIND_CREATED_DELAYS_MS = [0, 250, 500, 1000, 2000, 4000, 8000];

/**
 * Sends the new spec and returns the id of the deployment that update created. DO's
 * answer names it `pending_deployment` (apps/models/app.yml guarantees that for an
 * update); `in_progress_deployment` may be someone else's deployment that started in
 * between, so it is never taken for ours. When the answer came before the deployment
 * existed, ours is the first new deployment that runs the spec we sent.
 */
async function updateSpec(
  doClient: DoClient,
  plan: PromotionPlan,
  deploy: Extract<PromotionPlan['deploy'], { kind: 'update_spec' }>,
): Promise<string> {
  const appId = plan.to.appId;
  const known = new Set((await doClient.listDeployments(appId, { perPage: 20 })).map((d) => d.id));
  const app = await doClient.updateAppSpec(appId, deploy.spec, {
    updateAllSourceVersions: deploy.updateAllSourceVersions,
  });
  if (app.pendingDeployment) return app.pendingDeployment.id;
  const wanted = sourcesOf(deploy.spec);
  for (const delay of FIND_CREATED_DELAYS_MS) {
    if (delay > 0) await sleep(delay);
    const created = (await doClient.listDeployments(appId, { perPage: 20 }))
      .filter((d) => !known.has(d.id) && d.spec && sourcesOf(d.spec) === wanted)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    if (created) return created.id;
  }
  throw new DocksideError(
    'deploy_failed',
    `DigitalOcean accepted ${plan.to.env}'s new spec but no deployment of it appeared; check the app in the control panel.`,
  );
}

/** What each component is built from (image or git source), to recognise a deployment of a spec. */
function sourcesOf(spec: AppSpec): string {
  const components = [spec.services, spec.workers, spec.jobs, spec.static_sites].flatMap((l) => l ?? []);
  return JSON.stringify(
    components
      .map((c) => {
        const image = c.image
          ? {
              repository: c.image.repository,
              registry: c.image.registry,
              tag: c.image.tag,
              digest: c.image.digest,
            }
          : undefined;
        const git = c.github ?? c.gitlab ?? c.bitbucket ?? c.git;
        return [
          c.name,
          image,
          git ? { repo: git.repo ?? git.repo_clone_url, branch: git.branch } : undefined,
        ];
      })
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

export interface VerifyPromotionInput {
  do: DoClient;
  appId: string;
  deploymentId: string;
  /** The approved plan, or just its binding (all that an approval request keeps). */
  plan: Pick<PromotionPlan, 'binding'>;
}

export interface VerifyResult {
  ok: boolean;
  /** One sentence per difference between what was promoted and what production runs. */
  mismatches: string[];
}

/** After the deployment went ACTIVE: does production run exactly the promoted builds? */
export async function verifyPromotion(input: VerifyPromotionInput): Promise<VerifyResult> {
  const app = await input.do.getApp(input.appId);
  const mismatches: string[] = [];
  const active = app.activeDeployment;
  if (active?.id !== input.deploymentId) {
    mismatches.push(
      `The active deployment is ${active?.id ?? 'none'}, not the promotion's ${input.deploymentId}: it did not become ACTIVE or something deployed after it.`,
    );
  }
  const deployment: Deployment =
    active?.id === input.deploymentId && active.spec
      ? active
      : await input.do.getDeployment(input.appId, input.deploymentId);
  const runs = new Map(componentRuns(deployment, deployment.spec).map((r) => [r.name, r]));
  for (const [key, expected] of Object.entries(input.plan.binding)) {
    if (!key.startsWith(COMPONENT_KEY_PREFIX)) continue;
    const name = key.slice(COMPONENT_KEY_PREFIX.length);
    const run = runs.get(name);
    const actual = run ? runIdentity(run) : undefined;
    if (actual === expected) continue;
    mismatches.push(
      `\`${name}\` runs ${actual ? shortIdentity(actual) : 'something unknown'} instead of the promoted ${shortIdentity(expected)}.`,
    );
  }
  return { ok: mismatches.length === 0, mismatches };
}

/** Rebuilds the approved target from an approval request's binding (it survives restarts). */
export function approvedFromBinding(appName: string, binding: Record<string, string>): ApprovedPromotion {
  const need = (key: string): string => {
    const value = binding[key];
    if (!value) throw new DocksideError('internal', `The approval's binding has no ${key}.`);
    return value;
  };
  return {
    appName,
    from: { env: need('from_env'), appId: need('from_app_id') },
    to: { env: need('to_env'), appId: need('to_app_id') },
    binding,
  };
}
