import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeTemplate } from '../../do/route.js';
import type { AppPlatformSim } from './app-platform.js';
import type { DatabaseSim, RestoreBody } from './databases.js';
import { type DropletSim, routeDroplets } from './droplets.js';
import { jobInvocations } from './job-invocations.js';
import { logsOf } from './logs.js';
import { manualCause } from './out-of-band.js';
import { pageOf } from './paging.js';
import { propose } from './propose.js';
import { restart } from './restart.js';
import { commitRollback, revertRollback, rollback, validateRollback } from './rollback.js';
import { appJson, databaseJson, deploymentJson } from './serialize.js';
import { type SimFault, SimHttpError, type SimRequest } from './types.js';
import { validateSpec } from './validate-spec.js';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface SimContext {
  platform: AppPlatformSim;
  databases: DatabaseSim;
  droplets: DropletSim;
  faults: SimFault[];
  log: SimRequest[];
  /** The only API token the simulator accepts (as `Authorization: Bearer <token>`). */
  token: string;
  /** The simulator's origin (`http://127.0.0.1:PORT`), for the absolute `links.pages` URLs. */
  baseUrl: string;
}

type Body = Record<string, unknown>;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new SimHttpError(400, 'bad_request', 'request body is not valid JSON');
  }
}

export function send(res: ServerResponse, answer: Answer): void {
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(payload);
}

export function takeFault(
  faults: SimFault[],
  method: string,
  path: string,
  route: string,
): SimFault | undefined {
  const fault = faults.find(
    (f) => f.remaining > 0 && (f.route === `${method} ${route}` || f.route === `${method} ${path}`),
  );
  if (fault) fault.remaining -= 1;
  return fault;
}

/** The DigitalOcean API (/v2/...) as far as dockside uses it. */
function route(
  ctx: SimContext,
  method: string,
  template: string,
  params: string[],
  query: URLSearchParams,
  body: Body,
) {
  const { platform, databases } = ctx;
  const [id = '', sub = ''] = params;
  const ok = (payload: unknown, status = 200): Answer => ({ status, body: payload });
  switch (`${method} ${template}`) {
    case 'GET /v2/apps': {
      // apps_list: paged, each app with its deployments as GET /v2/apps/{id}.
      const page = pageOf([...platform.apps.values()], query, ctx.baseUrl, '/v2/apps');
      return ok({ apps: page.items.map(appJson), links: page.links, meta: page.meta });
    }
    case 'GET /v2/apps/:id':
      return ok({ app: appJson(platform.app(id)) });
    case 'PUT /v2/apps/:id': {
      const app = platform.app(id);
      validateSpec(body.spec);
      const created = platform.updateSpec(app, body.spec, body.update_all_source_versions === true);
      const json = appJson(app);
      // DO guarantees pending_deployment is the deployment this update created, even
      // when it already runs (in_progress_deployment may be another one).
      return ok({ app: { ...json, pending_deployment: created ? deploymentJson(created) : undefined } });
    }
    case 'GET /v2/apps/:id/deployments': {
      const all = platform.app(id).deployments;
      const page = pageOf(all, query, ctx.baseUrl, `/v2/apps/${id}/deployments`);
      return ok({ deployments: page.items.map(deploymentJson), links: page.links, meta: page.meta });
    }
    case 'POST /v2/apps/:id/deployments': {
      const app = platform.app(id);
      const dep = platform.deploy(app, {
        cause: body.force_build === true ? 'manual (force rebuild)' : 'manual',
        causeDetails: manualCause(),
      });
      return ok({ deployment: deploymentJson(dep) });
    }
    case 'GET /v2/apps/:id/deployments/:deploymentId': {
      const app = platform.app(id);
      return ok({ deployment: deploymentJson(platform.deployment(app, sub)) });
    }
    case 'POST /v2/apps/:id/deployments/:deploymentId/cancel':
      return ok({ deployment: deploymentJson(platform.cancel(platform.app(id), sub)) });
    case 'POST /v2/apps/:id/rollback/validate':
      return ok(validateRollback(platform, platform.app(id), String(body.deployment_id ?? '')));
    case 'POST /v2/apps/:id/rollback': {
      const dep = rollback(
        platform,
        platform.app(id),
        String(body.deployment_id ?? ''),
        body.skip_pin === true,
      );
      return ok({ deployment: deploymentJson(dep) });
    }
    case 'POST /v2/apps/:id/rollback/commit':
      commitRollback(platform.app(id));
      // 200 with no body at all (shared/responses/no_content.yml).
      return ok(undefined);
    case 'POST /v2/apps/:id/rollback/revert':
      return ok({ deployment: deploymentJson(revertRollback(platform, platform.app(id))) });
    case 'GET /v2/apps/:id/health':
      return ok({ app_health: { components: platform.health(platform.app(id)) } });
    case 'GET /v2/apps/:id/logs':
      return ok(logsOf(platform).links(platform.app(id), query));
    case 'GET /v2/apps/:id/components/:component/logs':
      return ok(logsOf(platform).links(platform.app(id), query, undefined, sub));
    case 'GET /v2/apps/:id/deployments/:deploymentId/logs':
      return ok(logsOf(platform).links(platform.app(id), query, sub));
    case 'GET /v2/apps/:id/deployments/:deploymentId/components/:component/logs':
      return ok(logsOf(platform).links(platform.app(id), query, sub, params[2]));
    case 'GET /v2/apps/:id/job-invocations':
      return ok({ job_invocations: jobInvocations(platform.app(id), query), links: {} });
    case 'GET /v2/apps/:id/jobs/:job/invocations/:invocationId/logs':
      return ok(logsOf(platform).jobLinks(platform.app(id), sub, params[2] ?? ''));
    case 'POST /v2/apps/:id/restart':
      return ok({ deployment: deploymentJson(restart(platform, platform.app(id), body.components)) });
    case 'POST /v2/apps/propose':
      return ok(propose(platform, body));
    case 'GET /v2/databases/:id':
      return ok({ database: databaseJson(databases.get(id)) });
    case 'GET /v2/databases/:id/backups':
      return ok({ backups: databases.get(id).backups });
    case 'POST /v2/databases':
      return ok({ database: databaseJson(databases.restore(body as RestoreBody)) }, 201);
    default:
      throw new SimHttpError(404, 'not_found', 'The resource you were accessing could not be found.');
  }
}

/** Auth, injected faults, routing, and the request log, for one API request. */
export async function handleApi(ctx: SimContext, req: IncomingMessage, url: URL): Promise<Answer> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.replace(/\/+$/, '');
  const template = routeTemplate(path);
  const entry: SimRequest = {
    method,
    path,
    route: template,
    query: Object.fromEntries(url.searchParams),
    body: undefined,
    status: 0,
    at: new Date().toISOString(),
  };
  ctx.log.push(entry);
  const answer = await (async (): Promise<Answer> => {
    try {
      entry.body = await readJson(req);
      if (req.headers.authorization !== `Bearer ${ctx.token}`) {
        return { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you.' } };
      }
      const fault = takeFault(ctx.faults, method, path, template);
      if (fault) {
        const body = fault.body ?? {
          id: fault.status === 429 ? 'too_many_requests' : 'service_unavailable',
          message: fault.status === 429 ? 'API Rate limit exceeded.' : 'Service temporarily unavailable.',
        };
        return { status: fault.status, body, headers: fault.headers };
      }
      // Ids are the segments the route template replaced.
      const params = path.split('/').filter((seg, i) => template.split('/')[i] !== seg);
      const droplets = routeDroplets(ctx.droplets, method, template, params, url.searchParams, entry.body);
      if (droplets) return droplets;
      const body = (entry.body ?? {}) as Body;
      return route(ctx, method, template, params, url.searchParams, body);
    } catch (err) {
      // shared/models/error.yml: `id` and `message`, and a `request_id` to quote to support.
      if (err instanceof SimHttpError)
        return { status: err.status, body: { id: err.id, message: err.message, request_id: randomUUID() } };
      throw err;
    }
  })();
  entry.status = answer.status;
  return answer;
}
