import type { Clock } from '../../src/clock.js';
import type { DropletsConfig, EnvConfig } from '../../src/config/schema.js';
import type { DropletApi } from '../../src/do/droplets.js';
import { DocksideError, plainErrorText } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { registerSecret } from '../../src/secrets.js';
import { type CommandReport, openSsh, type SshSession } from '../../src/ssh/client.js';
import { parseKnownHosts } from '../../src/ssh/known-hosts.js';
import type {
  DropletTarget,
  PlanKind,
  Release,
  ReleasePlan,
  ReleaseRecord,
  RolloutContext,
  RolloutResult,
} from '../deploy/target.js';
import type { CheckResult } from '../health/types.js';
import { hostsHealth } from './health.js';
import { type HostRef, resolveHosts } from './hosts.js';
import { describePlan, planFor } from './plan.js';
import { readHosts, uniformRelease } from './read-hosts.js';
import type { ReleaseLog } from './release-log.js';
import { rollout } from './rollout.js';

export interface DropletTargetDeps {
  registry: RegistryClient;
  releases: ReleaseLog;
  /** Droplets by tag and load balancer membership; optional when neither is configured. */
  droplets?: DropletApi;
  log: Logger;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** GET health_url at the end of a rollout. */
  probeHealth: (url: string) => Promise<CheckResult>;
  healthPollMs?: number;
  /** Sees every remote command (the bench sums their times). */
  onCommand?: (report: CommandReport) => void;
}

/** A private key's text and each of its lines are secrets wherever they might be echoed. */
function registerKey(key: string): void {
  registerSecret(key);
  for (const line of key.split('\n')) if (line.trim().length >= 20) registerSecret(line.trim());
}

/** One Droplet env as a deploy target (see handlers/deploy/target.ts). */
export function createDropletTarget(
  deps: DropletTargetDeps,
  target: { app: string; env: string; config: EnvConfig },
): DropletTarget {
  const { app, env } = target;
  const droplets = target.config.droplets;
  if (!droplets) throw new DocksideError('not_available', `${app} ${env} is not a Droplet env.`);
  const config: DropletsConfig = droplets;
  registerKey(config.ssh_key);
  const knownHosts = parseKnownHosts(config.host_keys);
  const log = deps.log.child({ app, env, target: 'droplets' });

  const connect = (host: HostRef): Promise<SshSession> =>
    openSsh(
      {
        host: host.host,
        port: host.port,
        user: config.user,
        privateKey: config.ssh_key,
        knownHosts,
        connectTimeoutMs: config.timeouts.connect_ms,
      },
      { log, ...(deps.onCommand ? { onCommand: deps.onCommand } : {}) },
    );
  const hosts = () => resolveHosts(config, deps.droplets);
  const healthUrl = target.config.health_url;
  const checkHealthUrl = async (url: string) => {
    const check = await deps.probeHealth(url);
    return { ok: check.state === 'good', detail: check.detail };
  };

  /** Hosts know digests; the log knows which tags they came from. */
  async function withTags(release: Release): Promise<Release> {
    const record = release.id === 'unknown' ? undefined : await deps.releases.get(app, env, release.id);
    if (!record) return release;
    const services = release.services.map((s) => {
      const logged = record.services.find((r) => r.service === s.service && r.digest === s.digest);
      return logged?.tag ? { ...s, tag: logged.tag } : s;
    });
    return { ...release, services };
  }

  async function current(): Promise<Release | undefined> {
    const release = uniformRelease(app, env, await readHosts(config, await hosts(), connect));
    return release ? withTags(release) : undefined;
  }

  /**
   * One connection per host for a whole deploy (its check and its rollout), replaced
   * when it died (a command timeout ends it) so a host can still be put back.
   * Hosts are connected one call each at a time, never twice at once.
   */
  function pool() {
    const sessions = new Map<string, SshSession>();
    return {
      async connect(host: HostRef): Promise<SshSession> {
        let shared = sessions.get(host.name);
        if (!shared?.isOpen()) {
          shared = await connect(host);
          sessions.set(host.name, shared);
        }
        const s = shared;
        return { name: s.name, run: (c, o) => s.run(c, o), isOpen: () => s.isOpen(), close: () => {} };
      },
      closeAll() {
        for (const s of sessions.values()) s.close();
      },
    };
  }

  async function plan(release: Release, kind: PlanKind, via = connect): Promise<ReleasePlan> {
    const readings = await readHosts(config, await hosts(), via);
    // A deploy also heals hosts that drifted apart, so it plans from the first host's release.
    const first = readings.find((r) => r.release)?.release;
    const now = first ? await withTags(first) : undefined;
    return planFor({ app, env, config, kind, release, ...(now ? { current: now } : {}) });
  }

  async function runRollout(
    p: ReleasePlan,
    context: RolloutContext,
    via: (host: HostRef) => Promise<SshSession>,
  ): Promise<RolloutResult> {
    return rollout(
      {
        connect: via,
        ...(deps.droplets ? { droplets: deps.droplets } : {}),
        log,
        sleep: deps.sleep,
        ...(deps.healthPollMs !== undefined ? { healthPollMs: deps.healthPollMs } : {}),
      },
      {
        config,
        hosts: await hosts(),
        release: p.release,
        migrate: p.kind !== 'rollback',
        pullOnlyMissing: p.kind === 'rollback',
        ...(context.onEvent ? { onEvent: context.onEvent } : {}),
        ...(healthUrl ? { finalCheck: () => checkHealthUrl(healthUrl) } : {}),
        restoreOnFinalFailure: target.config.auto_rollback,
      },
    );
  }

  return {
    kind: 'droplets',
    app,
    env,
    currentRelease: current,
    async planDeploy(options = {}) {
      const tag = options.tag ?? 'latest';
      const services = await Promise.all(
        Object.entries(config.services).map(async ([service, spec]) => ({
          service,
          image: spec.image,
          digest: await deps.registry.resolve(spec.image, tag),
          tag,
        })),
      );
      return plan({ id: deps.releases.newId(), services }, 'deploy');
    },
    planRelease: (release, kind) => plan({ ...release, id: deps.releases.newId() }, kind),
    releases: (limit) => deps.releases.list(app, env, limit),
    async deploy(p, context) {
      // Long enough for the slowest rollout the timeouts allow on a few hosts; a crashed
      // replica's claim then lapses on its own.
      const ttlMs = 2 * 60 * 60_000;
      const running = await deps.releases.claim(app, env, p.release.id, ttlMs);
      if (running) {
        throw new DocksideError(
          'deploy_in_progress',
          `A rollout of ${app} ${env} is already running (${running}).`,
          {
            hint: 'Wait for it to finish, then try again.',
          },
        );
      }
      const sessions = pool();
      try {
        return await deployClaimed(p, context, sessions.connect);
      } finally {
        sessions.closeAll();
        await deps.releases.unclaim(app, env, p.release.id);
      }
    },
    async health(options = {}) {
      const health = await hostsHealth(config, await hosts(), connect, options);
      // Each host's release gets the tags it was deployed from, when the log knows them.
      const named = await Promise.all(
        health.hosts.map(async (h) => {
          if (!h.release) return h;
          // Tags are a nicety: without Redis the digests still say what runs.
          const release = await withTags(h.release).catch(() => h.release);
          return { ...h, ...(release ? { release } : {}) };
        }),
      );
      return { ...health, hosts: named };
    },
    describe: describePlan,
  };

  async function deployClaimed(
    p: ReleasePlan,
    context: RolloutContext,
    via: (host: HostRef) => Promise<SshSession>,
  ): Promise<RolloutResult> {
    // An approved plan is bound to what ran when it was made: if the env moved since,
    // the person approved a change that no longer describes what would happen.
    const fresh = await plan(p.release, p.kind, via);
    if (fresh.binding.current !== p.binding.current) {
      throw new DocksideError(
        'approval_stale',
        `${app} ${env} changed since this ${p.kind} was planned, so nothing was done.`,
        { hint: 'Ask again to see what it would change now.' },
      );
    }
    const record: ReleaseRecord = {
      ...p.release,
      kind: p.kind,
      by: context.by,
      at: new Date(deps.clock.now()).toISOString(),
      outcome: 'started',
      ...(context.auditId ? { auditId: context.auditId } : {}),
    };
    await deps.releases.start(app, env, record);
    let result: RolloutResult;
    try {
      result = await runRollout(p, context, via);
    } catch (err) {
      await deps.releases.finish(app, env, p.release.id, 'failed', { reason: plainErrorText(err) });
      throw err;
    }
    const outcome = result.ok ? 'succeeded' : result.restored.length > 0 ? 'rolled_back' : 'failed';
    await deps.releases.finish(
      app,
      env,
      p.release.id,
      outcome,
      result.ok
        ? undefined
        : { ...(result.failedHost ? { host: result.failedHost } : {}), reason: result.reason ?? 'failed' },
    );
    return result;
  }
}
