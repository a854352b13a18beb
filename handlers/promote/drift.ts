/**
 * What a promotion does NOT carry: it moves builds (commits, image digests), never
 * the rest of the spec. Where the two envs' specs differ in the rest (env var keys,
 * instance sizes and counts, jobs), production keeps its own, and the approver
 * should know. Env var values never appear here, only their keys.
 */
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import type { AppSpec, ComponentSpec, DoClient } from '../../src/do/port.js';
import { isDocksideError } from '../../src/errors.js';
import { specComponents } from './components.js';
import type { PromotionPlan } from './plan.js';

export type DriftItem =
  | { kind: 'env_keys'; component?: string; env: string; keys: string[] }
  | { kind: 'instances'; component: string; from: string; to: string }
  | { kind: 'job_only_in'; job: string; env: string; jobKind: string }
  | { kind: 'job_kind'; job: string; from: string; to: string }
  | { kind: 'cost'; before: number; after: number }
  | { kind: 'cost_unknown'; why: string };

interface Side {
  env: string;
  spec: AppSpec;
}

function envKeys(envs: unknown): Set<string> {
  if (!Array.isArray(envs)) return new Set();
  return new Set(
    envs.flatMap((e) => (e && typeof e === 'object' && typeof e.key === 'string' ? [e.key as string] : [])),
  );
}

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((k) => !b.has(k)).sort();

function keyDrift(from: Side, to: Side, a: unknown, b: unknown, component?: string): DriftItem[] {
  const [fromKeys, toKeys] = [envKeys(a), envKeys(b)];
  const out: DriftItem[] = [];
  const onlyFrom = minus(fromKeys, toKeys);
  const onlyTo = minus(toKeys, fromKeys);
  const where = component ? { component } : {};
  if (onlyFrom.length > 0) out.push({ kind: 'env_keys', ...where, env: from.env, keys: onlyFrom });
  if (onlyTo.length > 0) out.push({ kind: 'env_keys', ...where, env: to.env, keys: onlyTo });
  return out;
}

/** "basic-xxs ×1", "apps-s-1vcpu-1gb, autoscaling 2–5". */
function instances(c: ComponentSpec): string {
  const size = typeof c.instance_size_slug === 'string' ? c.instance_size_slug : 'default size';
  const auto = c.autoscaling as { min_instance_count?: unknown; max_instance_count?: unknown } | undefined;
  if (auto && typeof auto === 'object' && (auto.min_instance_count || auto.max_instance_count)) {
    return `${size}, autoscaling ${String(auto.min_instance_count ?? '?')}–${String(auto.max_instance_count ?? '?')}`;
  }
  return `${size} ×${typeof c.instance_count === 'number' ? c.instance_count : 1}`;
}

/** Differences between the two specs outside what promotion carries. Pure. */
export function specDrift(from: Side, to: Side): DriftItem[] {
  const out: DriftItem[] = keyDrift(from, to, from.spec.envs, to.spec.envs);
  const toByName = new Map(specComponents(to.spec).map((c) => [c.component.name, c]));
  const fromByName = new Map(specComponents(from.spec).map((c) => [c.component.name, c]));
  for (const { type, component: a } of specComponents(from.spec)) {
    const b = toByName.get(a.name)?.component;
    if (!b) {
      if (type === 'jobs')
        out.push({
          kind: 'job_only_in',
          job: a.name,
          env: from.env,
          jobKind: String(a.kind ?? 'UNSPECIFIED'),
        });
      continue;
    }
    out.push(...keyDrift(from, to, a.envs, b.envs, a.name));
    if (type !== 'static_sites' && instances(a) !== instances(b)) {
      out.push({ kind: 'instances', component: a.name, from: instances(a), to: instances(b) });
    }
    if (type === 'jobs' && (a.kind ?? 'UNSPECIFIED') !== (b.kind ?? 'UNSPECIFIED')) {
      out.push({
        kind: 'job_kind',
        job: a.name,
        from: String(a.kind ?? 'UNSPECIFIED'),
        to: String(b.kind ?? 'UNSPECIFIED'),
      });
    }
  }
  for (const { type, component: b } of specComponents(to.spec)) {
    if (type === 'jobs' && !fromByName.has(b.name)) {
      out.push({ kind: 'job_only_in', job: b.name, env: to.env, jobKind: String(b.kind ?? 'UNSPECIFIED') });
    }
  }
  return out;
}

/** The cost change of the spec update a promotion sends, from DigitalOcean's propose. */
export async function costDrift(
  ops: AppOpsClient,
  toAppId: string,
  current: AppSpec,
  next: AppSpec,
): Promise<DriftItem[]> {
  try {
    const [before, after] = await Promise.all([ops.propose(current, toAppId), ops.propose(next, toAppId)]);
    if (before.appCost === undefined || after.appCost === undefined || before.appCost === after.appCost)
      return [];
    return [{ kind: 'cost', before: before.appCost, after: after.appCost }];
  } catch (err) {
    return [
      { kind: 'cost_unknown', why: isDocksideError(err) ? err.message : 'DigitalOcean did not answer' },
    ];
  }
}

/** Everything the approval card lists as drift for `plan`. */
export async function promotionDrift(
  deps: { do: DoClient; ops: AppOpsClient },
  plan: PromotionPlan,
): Promise<DriftItem[]> {
  const [fromApp, toApp] = await Promise.all([
    deps.do.getApp(plan.from.appId),
    deps.do.getApp(plan.to.appId),
  ]);
  const items = specDrift({ env: plan.from.env, spec: fromApp.spec }, { env: plan.to.env, spec: toApp.spec });
  if (plan.deploy.kind === 'update_spec')
    items.push(...(await costDrift(deps.ops, plan.to.appId, toApp.spec, plan.deploy.spec)));
  return items;
}
