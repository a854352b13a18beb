/** The control API under /_sim/, so a sandbox in another process (or curl) can steer the world. */
import type { IncomingMessage } from 'node:http';
import type { AppSpec } from '../../do/port.js';
import type { OutOfBandInput } from './out-of-band.js';
import { type Answer, readJson } from './server.js';
import type { CommitRef, DoSimulator, FaultInput } from './simulator-types.js';
import { type NextOutcome, type SimHealth, SimHttpError } from './types.js';

const HEALTH_FIELDS = new Set([
  'state',
  'replicas_desired',
  'replicas_ready',
  'cpu_usage_percent',
  'memory_usage_percent',
]);

/** The control API, so a sandbox in another process (or curl) can steer the world. */
export async function control(
  sim: Omit<DoSimulator, 'url' | 'githubUrl' | 'port' | 'close'>,
  req: IncomingMessage,
  url: URL,
): Promise<Answer> {
  const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
  const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const appId = str('app_id') ?? '';
  const ok = (payload: unknown = { ok: true }): Answer => ({ status: 200, body: payload });
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /_sim/seed':
      return ok(sim.seedDemo());
    case 'POST /_sim/apps':
      return ok({ id: sim.addApp(body.spec as AppSpec, { ...(str('id') ? { id: str('id') } : {}) }) });
    case 'POST /_sim/push': {
      const sha = str('sha');
      const ref: CommitRef = str('repo')
        ? { repo: str('repo') ?? '', branch: str('branch') ?? 'main', ...(sha ? { sha } : {}) }
        : { appId, ...(str('branch') ? { branch: str('branch') } : {}), ...(sha ? { sha } : {}) };
      return ok({ sha: sim.pushCommit(ref) });
    }
    case 'POST /_sim/out-of-band': {
      const input: OutOfBandInput = {
        via: str('via') === 'console' ? 'console' : 'push',
        ...(str('author') ? { author: str('author') } : {}),
        ...(str('email') ? { email: str('email') } : {}),
        ...(str('message') ? { message: str('message') } : {}),
        ...(body.fail === true ? { fail: true } : {}),
      };
      return ok({ deployment_id: sim.startOutOfBand(appId, input) });
    }
    case 'POST /_sim/fail-next':
      sim.failNextDeployment(appId, body as Omit<Extract<NextOutcome, { kind: 'error' }>, 'kind'>);
      return ok();
    case 'POST /_sim/run-lines-after-active':
      sim.runLinesAfterActive(appId, Array.isArray(body.lines) ? body.lines.map(String) : [], {
        ...(typeof body.delay_ms === 'number' ? { delayMs: body.delay_ms } : {}),
        ...(str('component') ? { component: str('component') } : {}),
      });
      return ok();
    case 'POST /_sim/fail-next-job':
      sim.failNextJob(appId, str('job') ?? '');
      return ok();
    case 'POST /_sim/cancel-next':
      sim.cancelNextDeployment(appId, body.phase as Extract<NextOutcome, { kind: 'cancel' }>['phase']);
      return ok();
    case 'POST /_sim/health':
      sim.setComponentHealth(
        appId,
        str('component') ?? '',
        Object.fromEntries(Object.entries(body).filter(([k]) => HEALTH_FIELDS.has(k))) as Partial<SimHealth>,
      );
      return ok();
    case 'POST /_sim/faults':
      sim.injectFault(body as unknown as FaultInput);
      return ok();
    case 'POST /_sim/answer-spec-update-early':
      sim.answerSpecUpdateEarly(appId, {
        delayMs: typeof body.delay_ms === 'number' ? body.delay_ms : 1000,
        interleave: body.interleave === true,
      });
      return ok();
    case 'POST /_sim/protect-branch':
      sim.protectBranch(str('repo') ?? '', str('branch') ?? '');
      return ok();
    case 'GET /_sim/requests':
      return ok({ requests: sim.requests() });
    case 'DELETE /_sim/requests':
      sim.clearRequests();
      return ok();
    default:
      throw new SimHttpError(404, 'not_found', `no control endpoint ${req.method} ${url.pathname}`);
  }
}
