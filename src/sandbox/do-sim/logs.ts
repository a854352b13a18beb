/**
 * App Platform's logs as the simulator serves them: the logs endpoints answer
 * `{live_url, historic_urls}` (OpenAPI `apps_get_logs_response`), and the links point
 * at text this server serves itself under ARCHIVE_PREFIX, without the API token, as
 * DigitalOcean's pre-signed archive links do (suffix Range requests included). The
 * text is made from the deployment (log-text.ts): its commit, phases, and why it failed.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppPlatformSim } from './app-platform.js';
import { jobInvocations } from './job-invocations.js';
import { generate, LIVE } from './log-text.js';
import { componentsOf, type SimApp, type SimDeployment, SimHttpError } from './types.js';

export const ARCHIVE_PREFIX = '/sim-logs/';
const TYPES = new Set(['BUILD', 'DEPLOY', 'RUN', 'RUN_RESTARTED']);
/** Archived texts kept for their links; older links answer 403 like an expired signature. */
const KEPT_ARCHIVES = 500;

export interface LogLinesInput {
  type: string;
  component?: string;
  /** Default: every deployment of the app. */
  deploymentId?: string;
}

interface ExtraLines extends LogLinesInput {
  appId: string;
  lines: string[];
  /** When they were printed (ms); absent: just after the deployment's own lines. */
  at?: number;
}

export class LogSim {
  /** `http://127.0.0.1:PORT`, set once the server listens. */
  baseUrl = '';
  private readonly extra: ExtraLines[] = [];
  private readonly archives = new Map<string, string>();

  constructor(private readonly platform: AppPlatformSim) {}

  /** Lines a test or the sandbox adds to a log (say, an error a runtime printed), stamped `at` when given. */
  addLines(appId: string, where: LogLinesInput, lines: string[], at?: number): void {
    this.extra.push({
      appId,
      ...where,
      type: where.type.toUpperCase(),
      lines,
      ...(at !== undefined ? { at } : {}),
    });
  }

  /**
   * When the app's next deployment goes ACTIVE, its runtime log gets `lines` `delayMs`
   * later, stamped with that time: errors that start once real traffic arrives.
   */
  runLinesAfterActive(
    appId: string,
    lines: string[],
    options: { delayMs?: number; component?: string } = {},
  ): void {
    const listener = (app: SimApp, dep: SimDeployment) => {
      if (app.id !== appId) return;
      this.platform.onActive.delete(listener);
      // A runtime prints into one component's log: the first service's unless named.
      const component =
        options.component ?? [...(dep.spec.services ?? []), ...(dep.spec.workers ?? [])][0]?.name;
      this.platform.later(() => {
        this.addLines(
          appId,
          { type: 'RUN', deploymentId: dep.id, ...(component ? { component } : {}) },
          lines,
          Date.now(),
        );
      }, options.delayMs ?? 0);
    };
    this.platform.onActive.add(listener);
  }

  /** GET .../logs: the links for one deployment (or the active one), one component or all. */
  links(app: SimApp, query: URLSearchParams, deploymentId?: string, component?: string) {
    const type = query.get('type') ?? '';
    if (!TYPES.has(type)) {
      throw new SimHttpError(400, 'bad_request', `type must be one of ${[...TYPES].join(', ')}`);
    }
    const id = deploymentId ?? app.activeId;
    if (!id) throw new SimHttpError(404, 'not_found', 'app has no active deployment');
    const dep = this.platform.deployment(app, id);
    const names = componentsOf(dep.spec).map((c) => c.name);
    if (component && !names.includes(component)) {
      throw new SimHttpError(404, 'not_found', `component ${component} not found`);
    }
    const text = (component ? [component] : names).map((c) => this.text(app, dep, c, type)).join('');
    const tail = Number(query.get('tail_lines') ?? 0);
    const kept = tail > 0 ? lastLines(text, tail) : text;
    const url = this.store(kept);
    // Running deployments and the runtime stream live; finished phases are archived.
    const live = type === 'RUN' ? dep.id === app.activeId : LIVE.has(dep.phase);
    return live ? { live_url: url, historic_urls: [] } : { live_url: '', historic_urls: [url] };
  }

  /** Job invocation logs (`type=JOB_INVOCATION`). */
  jobLinks(app: SimApp, jobName: string, invocationId: string) {
    const invocation = jobInvocations(app).find((j) => j.id === invocationId && j.job_name === jobName);
    if (!invocation) throw new SimHttpError(404, 'not_found', 'job invocation not found');
    const dep = this.platform.deployment(app, invocation.deployment_id);
    return { live_url: '', historic_urls: [this.store(this.text(app, dep, jobName, 'JOB_INVOCATION'))] };
  }

  private store(text: string): string {
    const token = randomBytes(12).toString('hex');
    this.archives.set(token, text);
    if (this.archives.size > KEPT_ARCHIVES) {
      const oldest = this.archives.keys().next().value;
      if (oldest !== undefined) this.archives.delete(oldest);
    }
    return `${this.baseUrl}${ARCHIVE_PREFIX}${token}?X-Amz-Expires=900&X-Amz-Signature=${randomBytes(16).toString('hex')}`;
  }

  private text(app: SimApp, dep: SimDeployment, component: string, type: string): string {
    const crashed = app.health.get(component)?.state === 'UNHEALTHY' && dep.id === app.activeId;
    const generated =
      type === 'RUN_RESTARTED' && crashed
        ? [
            'FATAL: out of memory while building the order export',
            'container exited with code 137 (OOMKilled); restarting',
          ]
        : generate(dep, component, type);
    const extra = this.extra.filter(
      (x) =>
        x.appId === app.id &&
        x.type === type &&
        (!x.component || x.component === component) &&
        (!x.deploymentId || x.deploymentId === dep.id),
    );
    const at = Date.parse(dep.updatedAt);
    const own = [...generated, ...extra.filter((x) => x.at === undefined).flatMap((x) => x.lines)];
    const lines = own.map((l, i) => `${component} ${stamp(at, i)} ${l}`);
    // Lines printed later carry their own time (a second apart at most, in order).
    for (const x of extra.filter((e) => e.at !== undefined)) {
      x.lines.forEach((l, i) => {
        lines.push(`${component} ${new Date((x.at ?? 0) + i).toISOString()} ${l}`);
      });
    }
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  /** Serves an archived text; true when the request was one of ours. */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith(ARCHIVE_PREFIX)) return false;
    const text = this.archives.get(url.pathname.slice(ARCHIVE_PREFIX.length));
    if (text === undefined || !url.searchParams.get('X-Amz-Signature')) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return true;
    }
    const body = Buffer.from(text);
    const suffix = /^bytes=-(\d+)$/.exec(req.headers.range ?? '');
    if (suffix && body.length > 0) {
      const n = Math.min(Number(suffix[1]), body.length);
      res.writeHead(206, {
        'content-type': 'text/plain; charset=utf-8',
        'content-range': `bytes ${body.length - n}-${body.length - 1}/${body.length}`,
      });
      res.end(body.subarray(body.length - n));
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
    return true;
  }
}

const sims = new WeakMap<AppPlatformSim, LogSim>();

/** The log store of a simulated App Platform (one per simulator). */
export function logsOf(platform: AppPlatformSim): LogSim {
  let sim = sims.get(platform);
  if (!sim) {
    sim = new LogSim(platform);
    sims.set(platform, sim);
  }
  return sim;
}

function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.slice(-n).join('\n')}\n`;
}

function stamp(base: number, i: number): string {
  return new Date((Number.isFinite(base) ? base : Date.now()) - 60_000 + i * 1000).toISOString();
}
