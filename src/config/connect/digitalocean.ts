import type { Config, DropletsConfig } from '../schema.js';
import type { Finding } from './types.js';

interface Probe {
  what: string;
  path: string;
  /** The custom scope DigitalOcean requires for it. */
  scope: string;
  /** What a 404 means here. */
  notFound: string;
  /** A problem in a 2xx answer's body, as a failing finding; undefined when it is fine. */
  inspect?: (body: unknown) => Pick<Finding, 'detail' | 'hint'> | undefined;
}

/**
 * A load balancer that picks its Droplets by tag refuses single Droplets (422,
 * loadBalancers_add_droplets), so a rollout could not take one host out at a time.
 */
function byTagOnly(id: string) {
  return (body: unknown): Pick<Finding, 'detail' | 'hint'> | undefined => {
    const tag = (body as { load_balancer?: { tag?: unknown } } | null)?.load_balancer?.tag;
    if (typeof tag !== 'string' || tag === '') return undefined;
    return {
      detail: `load balancer ${id} picks its Droplets by tag ${tag}, so dockside cannot take one host out at a time`,
      hint: 'Give droplets.load_balancer_id a load balancer that lists its Droplets by id.',
    };
  };
}

/** The Droplet and load balancer reads a Droplet env's rollout makes. */
function dropletProbes(app: string, env: string, d: DropletsConfig): Probe[] {
  const probes: Probe[] = [];
  const field = `apps.${app}.environments.${env}.droplets`;
  if (d.tag !== undefined) {
    probes.push({
      what: `Droplets tagged ${d.tag} (${app}/${env})`,
      path: `/droplets?tag_name=${encodeURIComponent(d.tag)}&per_page=1`,
      scope: 'droplet:read, tag:read',
      notFound: 'the API was not found',
    });
  } else if (d.load_balancer_id !== undefined) {
    // Hosts by address need their Droplet ids to leave the load balancer.
    probes.push({
      what: `Droplets (${app}/${env})`,
      path: '/droplets?per_page=1',
      scope: 'droplet:read',
      notFound: 'the API was not found',
    });
  }
  if (d.load_balancer_id !== undefined) {
    probes.push({
      what: `load balancer of ${app}/${env}`,
      path: `/load_balancers/${encodeURIComponent(d.load_balancer_id)}`,
      scope: 'load_balancer:read',
      notFound: `no load balancer ${d.load_balancer_id} in the token's team: check ${field}.load_balancer_id (doctl compute load-balancer list)`,
      inspect: byTagOnly(d.load_balancer_id),
    });
  }
  return probes;
}

export const DEFAULT_DO_API = 'https://api.digitalocean.com/v2';

/** Read-only requests dockside makes anyway; nothing here changes anything. */
export function doProbes(config: Config): Probe[] {
  const probes: Probe[] = [];
  for (const [app, a] of Object.entries(config.apps)) {
    for (const [env, e] of Object.entries(a.environments)) {
      if (e.droplets) probes.push(...dropletProbes(app, env, e.droplets));
      if (!e.app_id) continue;
      probes.push({
        what: `app ${app}/${env}`,
        path: `/apps/${encodeURIComponent(e.app_id)}`,
        scope: 'app:read',
        notFound: `no app ${e.app_id} in the token's team: check apps.${app}.environments.${env}.app_id (doctl apps list)`,
      });
      probes.push({
        what: `deployments of ${app}/${env}`,
        path: `/apps/${encodeURIComponent(e.app_id)}/deployments?per_page=1`,
        scope: 'app:read',
        notFound: `no app ${e.app_id} in the token's team`,
      });
    }
  }
  for (const [db, d] of Object.entries(config.databases)) {
    if (!d.cluster_id) continue;
    probes.push({
      what: `cluster of database ${db}`,
      path: `/databases/${encodeURIComponent(d.cluster_id)}`,
      scope: 'database:read',
      notFound: `no database cluster ${d.cluster_id} in the token's team: check databases.${db}.cluster_id (doctl databases list)`,
    });
    probes.push({
      what: `managed backups of ${db}`,
      path: `/databases/${encodeURIComponent(d.cluster_id)}/backups`,
      scope: 'database:read',
      notFound: `no database cluster ${d.cluster_id} in the token's team`,
    });
  }
  return probes;
}

/**
 * Which of the endpoints dockside uses answer with this token. 401 means the token is
 * wrong or revoked; 403 means it lacks the scope the endpoint needs. Write scopes
 * cannot be tried without changing something, so they are listed, not tested.
 */
export async function checkDigitalOcean(
  config: Config,
  token: string,
  apiUrl = DEFAULT_DO_API,
  fetchImpl: typeof fetch = fetch,
): Promise<Finding[]> {
  const base = apiUrl.replace(/\/+$/, '');
  const probes = doProbes(config);
  if (probes.length === 0) {
    probes.push({
      what: 'apps',
      path: '/apps?per_page=1',
      scope: 'app:read',
      notFound: 'the API was not found',
    });
  }
  const findings: Finding[] = [];
  for (const probe of probes) {
    const what = `DigitalOcean GET ${probe.path.split('?')[0]} (${probe.what})`;
    let status: number;
    let body: unknown;
    try {
      const res = await fetchImpl(`${base}${probe.path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      if (probe.inspect && res.ok) body = await res.json().catch(() => undefined);
      else await res.body?.cancel();
    } catch (err) {
      findings.push({
        what,
        level: 'fail',
        detail: `no answer from ${base} (${err instanceof Error ? err.name : 'error'})`,
        hint: 'Check DIGITALOCEAN_API_URL and outbound network access.',
      });
      break;
    }
    const problem = status >= 200 && status < 300 ? probe.inspect?.(body) : undefined;
    if (problem) {
      findings.push({ what, level: 'fail', ...problem });
    } else if (status >= 200 && status < 300) {
      findings.push({ what, level: 'ok', detail: `answers (${probe.scope})` });
    } else if (status === 401) {
      findings.push({
        what,
        level: 'fail',
        detail: '401: DigitalOcean does not accept the token (wrong, expired or revoked)',
        hint: 'Create a new token under API -> Tokens and set DIGITALOCEAN_TOKEN.',
      });
      break; // every other endpoint would say the same
    } else if (status === 403) {
      findings.push({
        what,
        level: 'fail',
        detail: `403: the token lacks the ${probe.scope} scope`,
        hint: `Give the token ${probe.scope} (see the README's token scopes).`,
      });
    } else if (status === 404) {
      findings.push({ what, level: 'fail', detail: `404: ${probe.notFound}` });
    } else {
      findings.push({ what, level: 'warn', detail: `DigitalOcean answered ${status}; try again later` });
    }
  }
  return findings;
}
