import type { Clock } from '../../src/clock.js';
import type { App, AppSpec, Deployment, DoClient } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import type { GitHubClient } from '../../src/github/client.js';
import { shortId } from '../../src/render/format.js';
import { bindingOf, type EnvRef, staleness } from './binding.js';
import { type BranchMove, type BranchTarget, checkBranches } from './branches.js';
import {
  type ComponentRun,
  componentRuns,
  describeRun,
  runIdentity,
  specComponents,
  specRuns,
} from './components.js';

export type { EnvRef } from './binding.js';

export interface ComponentChange {
  name: string;
  kind: 'git' | 'image';
  /** What production's active deployment runs; absent when production runs nothing yet. */
  from?: ComponentRun;
  /** What staging's active deployment runs. */
  to: ComponentRun;
  unchanged: boolean;
}

export interface PromotionPlan {
  appName: string;
  from: EnvRef;
  to: EnvRef;
  fromDeploymentId: string;
  /** Absent when production has no active deployment. */
  toDeploymentId?: string;
  /** A deployment of production that is still running; promotion waits for it. */
  toBusyDeploymentId?: string;
  /** ISO time staging's deployment became ACTIVE, and for how long it has been. */
  fromActiveSince: string;
  fromActiveForMs: number;
  components: ComponentChange[];
  branchMoves: BranchMove[];
  /** How production is deployed: PUT of `newSpec`, or a plain new deployment. */
  deploy:
    | {
        kind: 'update_spec';
        spec: AppSpec;
        updateAllSourceVersions: boolean;
        /** Image components whose autodeploy (deploy_on_push) is turned off: it works only with a tag. */
        autodeployOff: string[];
      }
    | { kind: 'create_deployment' };
  /** Sentences that each say why the promotion cannot run and what to do; empty when it can. */
  blockers: string[];
  nothingToDo: boolean;
  /** Everything the approval is bound to; re-checked before running. */
  binding: Record<string, string>;
}

export interface PlanPromotionInput {
  do: DoClient;
  appName: string;
  from: EnvRef;
  to: EnvRef;
  /** Always pass one (a token-less client reads public repositories); needed for git components. */
  github?: GitHubClient;
  clock: Clock;
  /**
   * The binding an approval was given for: if staging or production moved since,
   * planning stops with `approval_stale` before anything else (GitHub included) is asked.
   */
  expectBinding?: Record<string, string>;
}

export async function planPromotion(input: PlanPromotionInput): Promise<PromotionPlan> {
  const { appName, from, to, clock } = input;
  if (from.appId === to.appId) {
    throw new DocksideError(
      'promote_not_possible',
      `${from.env} and ${to.env} of ${appName} are the same app.`,
    );
  }
  const [fromApp, toApp] = await Promise.all([input.do.getApp(from.appId), input.do.getApp(to.appId)]);
  const fromActive = fromApp.activeDeployment;
  if (!fromActive) {
    throw new DocksideError(
      'promote_not_possible',
      `${from.env} of ${appName} has no ACTIVE deployment to promote.`,
      {
        hint: `Deploy ${from.env} first: \`/deploy ${appName} ${from.env}\`.`,
      },
    );
  }
  const fromSpec = await deploymentSpec(input.do, from.appId, fromActive);
  if (!fromSpec) {
    throw new DocksideError(
      'promote_not_possible',
      `DigitalOcean did not return the spec of ${from.env}'s active deployment \`${shortId(fromActive.id)}\`, so dockside cannot tell which images it runs.`,
    );
  }
  const toActive = toApp.activeDeployment;
  const toActiveSpec = toActive ? await deploymentSpec(input.do, to.appId, toActive) : undefined;

  const blockers: string[] = [...productionState(toApp, appName, to.env)];
  const busy = toApp.inProgressDeployment ?? toApp.pendingDeployment;
  const stagingRuns = componentRuns(fromActive, fromSpec);
  const productionRuns = new Map(
    (toActive ? componentRuns(toActive, toActiveSpec) : []).map((r) => [r.name, r]),
  );
  // The spec production will deploy decides the components, not the one it last ran.
  const productionSpecRuns = new Map(specRuns(toApp.spec).map((r) => [r.name, r]));

  const components: ComponentChange[] = [];
  const branchTargets: BranchTarget[] = [];
  for (const staging of stagingRuns) {
    const target = productionSpecRuns.get(staging.name);
    if (!target) {
      blockers.push(
        `${from.env} runs \`${staging.name}\`, which ${to.env}'s spec does not have. Add it to ${to.env}'s app spec first (dockside does not add components).`,
      );
      continue;
    }
    if (staging.kind === 'unknown' || target.kind === 'unknown') {
      blockers.push(
        `\`${staging.name}\` has a source dockside cannot promote (neither an image nor a git branch).`,
      );
      continue;
    }
    if (staging.kind !== target.kind) {
      blockers.push(
        `\`${staging.name}\` is built from ${kindWords(staging.kind)} in ${from.env} but from ${kindWords(target.kind)} in ${to.env}; use the same kind of source in both.`,
      );
      continue;
    }
    const current = productionRuns.get(staging.name);
    const identity = runIdentity(staging);
    components.push({
      name: staging.name,
      kind: staging.kind,
      ...(current ? { from: current } : {}),
      to: staging,
      unchanged: identity !== undefined && current !== undefined && runIdentity(current) === identity,
    });
    if (staging.kind === 'image' && target.kind === 'image') {
      if (!staging.digest) {
        blockers.push(
          `${from.env} runs \`${staging.name}\` as ${describeRun(staging)}: a tag can move, so dockside cannot tell which build that is. ` +
            `Deploy ${from.env} by digest (set \`image.digest\` instead of \`tag\` in its app spec), then /promote ${appName} again.`,
        );
      } else if (staging.image !== target.image) {
        blockers.push(
          `\`${staging.name}\` pulls ${staging.image} in ${from.env} but ${target.image} in ${to.env}; a digest only means the same build within one repository.`,
        );
      }
    }
    if (staging.kind === 'git' && target.kind === 'git') {
      if (!staging.commit) {
        blockers.push(`DigitalOcean did not report which commit ${from.env}'s \`${staging.name}\` runs.`);
      } else {
        branchTargets.push({ staging, production: target });
      }
    }
  }
  for (const name of productionSpecRuns.keys()) {
    if (!stagingRuns.some((r) => r.name === name)) {
      blockers.push(
        `${to.env} has \`${name}\`, which ${from.env} does not run; promotion makes ${to.env} run what ${from.env} runs, ` +
          `so add \`${name}\` to ${from.env} (or remove it from ${to.env}) first.`,
      );
    }
  }

  const binding = bindingOf(from, to, fromActive.id, toActive?.id, stagingRuns);
  const stale = input.expectBinding ? staleness(input.expectBinding, binding) : undefined;
  if (stale) throw new DocksideError('approval_stale', stale);

  const nothingToDo = blockers.length === 0 && components.length > 0 && components.every((c) => c.unchanged);
  let branchMoves: BranchMove[] = [];
  if (!nothingToDo && blockers.length === 0) {
    const checked = await checkBranches(branchTargets, input.github, { appName, toEnv: to.env });
    branchMoves = checked.moves;
    blockers.push(...pushDeployBlockers(branchMoves, branchTargets, appName, to.env));
    blockers.push(...checked.blockers);
  }

  const since = fromActive.updatedAt || fromActive.createdAt;
  return {
    appName,
    from,
    to,
    fromDeploymentId: fromActive.id,
    ...(toActive ? { toDeploymentId: toActive.id } : {}),
    ...(busy ? { toBusyDeploymentId: busy.id } : {}),
    fromActiveSince: since,
    fromActiveForMs: Math.max(0, clock.now() - Date.parse(since)),
    components,
    branchMoves,
    deploy: deployment(toApp.spec, stagingRuns, components),
    blockers,
    nothingToDo,
    binding,
  };
}

/** Production states in which App Platform would refuse or race a new deployment. */
function productionState(app: App, appName: string, env: string): string[] {
  const out: string[] = [];
  if (app.pinnedDeployment) {
    out.push(
      `${env} of ${appName} is pinned to rollback deployment \`${shortId(app.pinnedDeployment.id)}\`: App Platform refuses new deployments. ` +
        `Commit or revert the rollback (\`/rollback ${appName} ${env}\`) first.`,
    );
  }
  const running = app.inProgressDeployment ?? app.pendingDeployment;
  if (running) {
    out.push(
      `${env} of ${appName} has deployment \`${shortId(running.id)}\` in progress (${running.phase}); wait for it to finish.`,
    );
  }
  return out;
}

/**
 * Image components get staging's digest (App Platform takes `digest` instead of `tag`).
 * Autodeploy (`deploy_on_push`) works only with a tag, so App Platform refuses a spec that
 * pins a digest with it on: it is turned off for those components. Everything else of
 * production's spec is sent back untouched.
 */
function deployment(
  productionSpec: AppSpec,
  stagingRuns: ComponentRun[],
  components: ComponentChange[],
): PromotionPlan['deploy'] {
  const spec = structuredClone(productionSpec);
  const digests = new Map(
    stagingRuns.flatMap((r) => (r.kind === 'image' && r.digest ? [[r.name, r.digest] as const] : [])),
  );
  const autodeployOff: string[] = [];
  for (const { component } of specComponents(spec)) {
    const digest = digests.get(component.name);
    if (!component.image || !digest) continue;
    const { tag: _tag, ...image } = component.image;
    component.image = { ...image, digest };
    if (image.deploy_on_push?.enabled) {
      component.image.deploy_on_push = { ...image.deploy_on_push, enabled: false };
      autodeployOff.push(component.name);
    }
  }
  if (JSON.stringify(spec) === JSON.stringify(productionSpec)) return { kind: 'create_deployment' };
  // Without this flag App Platform keeps the commit existing git components last built.
  const gitChanges = components.some((c) => c.kind === 'git' && !c.unchanged);
  return { kind: 'update_spec', spec, updateAllSourceVersions: gitChanges, autodeployOff };
}

async function deploymentSpec(
  doClient: DoClient,
  appId: string,
  deployment: Deployment,
): Promise<AppSpec | undefined> {
  if (deployment.spec) return deployment.spec;
  return (await doClient.getDeployment(appId, deployment.id)).spec;
}

function kindWords(kind: 'git' | 'image'): string {
  return kind === 'git' ? 'a git branch' : 'an image';
}

/**
 * Moving a branch that production deploys on push starts a deployment of production's
 * old spec by itself, racing the promotion's own; dockside could not tell which of
 * the two is the promotion, so it refuses and says how to set production up.
 */
function pushDeployBlockers(
  moves: BranchMove[],
  targets: BranchTarget[],
  appName: string,
  toEnv: string,
): string[] {
  const moving = new Set(moves.filter((m) => m.action === 'fast_forward').flatMap((m) => m.components));
  return targets
    .filter(
      (t) =>
        moving.has(t.production.name) &&
        t.production.kind === 'git' &&
        t.production.source.deploy_on_push === true,
    )
    .map(
      (t) =>
        `${appName} ${toEnv}'s \`${t.production.name}\` deploys on push, so moving its branch would deploy the old spec by itself ` +
        `alongside the promotion. Turn off "Autodeploy" (deploy_on_push) for \`${t.production.name}\` in ${toEnv}'s App Platform spec; ` +
        'promotions deploy it.',
    );
}
