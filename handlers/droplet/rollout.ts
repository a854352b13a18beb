import type { DropletsConfig } from '../../src/config/schema.js';
import type { DropletApi } from '../../src/do/droplets.js';
import { plainErrorText } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { scrub } from '../../src/secrets.js';
import type { SshSession } from '../../src/ssh/client.js';
import type { RemoteCommand } from '../../src/ssh/command.js';
import type { Release, RolloutEvent, RolloutResult } from '../deploy/target.js';
import { composeCommands } from './compose.js';
import type { HostRef } from './hosts.js';
import { renderReleaseFile } from './release-file.js';

export interface RolloutDeps {
  connect(host: HostRef): Promise<SshSession>;
  /** Needed when the env has a load balancer. */
  droplets?: DropletApi;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  /** Between host_health attempts; default 2 s. */
  healthPollMs?: number;
}

export interface RolloutInput {
  config: DropletsConfig;
  hosts: HostRef[];
  release: Release;
  /** Run `migrate` on the first host (deploys and promotions; never a rollback). */
  migrate: boolean;
  /** Pull only when a host lacks an image (rollbacks to images still on the hosts). */
  pullOnlyMissing: boolean;
  onEvent?: (event: RolloutEvent) => void | Promise<void>;
  /** The env-wide check once every host is done (health_url). */
  finalCheck?: () => Promise<{ ok: boolean; detail: string }>;
  /** auto_rollback: a failed final check puts every host back too. */
  restoreOnFinalFailure?: boolean;
}

/** Why a host failed: the step, and one line from its output. */
class HostFailure extends Error {
  constructor(
    readonly host: string,
    readonly step: RolloutEvent['step'],
    reason: string,
  ) {
    super(reason);
  }
}

const LOG_LINES = 20;

/**
 * A Droplet rollout, host by host. The first host goes alone (Kamal's barrier: one bad
 * release never reaches the fleet), then the rest in batches. Per host: write the
 * release file, pull (while the host still serves), leave the load balancer, `up -d`,
 * migrate once on the first host, wait for host_health, rejoin. A failure stops the
 * rollout and puts the failing host and every host already updated back on the
 * release it ran before.
 */
export async function rollout(deps: RolloutDeps, input: RolloutInput): Promise<RolloutResult> {
  const { config, release } = input;
  const commands = composeCommands(config);
  const sessions = new Map<string, SshSession>();
  /** What each touched host ran before: its release file, or null when it had none. */
  const previous = new Map<string, string | null>();
  const outOfLb = new Set<string>();
  /** Hosts whose containers were (re)started on the new release. */
  const started = new Set<string>();
  const updated: string[] = [];
  const result: RolloutResult = { ok: true, release, updated, restored: [], notRestored: [] };
  const releaseText = renderReleaseFile(config, release);
  const commandMs = config.timeouts.command_ms;

  const emit = async (event: RolloutEvent) => {
    try {
      await input.onEvent?.(event);
    } catch (err) {
      // A progress message that cannot be posted must not leave hosts half-updated.
      deps.log.warn({ err, step: event.step }, 'rollout progress could not be reported');
    }
  };

  async function session(host: HostRef): Promise<SshSession> {
    const open = sessions.get(host.name);
    if (open?.isOpen()) return open;
    const ssh = await deps.connect(host);
    sessions.set(host.name, ssh);
    return ssh;
  }

  async function step(host: HostRef, name: RolloutEvent['step'], command: RemoteCommand): Promise<string> {
    await emit({ step: name, host: host.name });
    const result = await (await session(host)).run(command, { timeoutMs: commandMs });
    if (result.code !== 0) {
      const last = (result.stderr || result.stdout).trim().split('\n').at(-1) ?? '';
      throw new HostFailure(
        host.name,
        name,
        `${name} exited with ${result.code ?? 'a signal'}: ${scrub(last).slice(0, 300)}`,
      );
    }
    return result.stdout;
  }

  async function waitHealthy(host: HostRef): Promise<void> {
    await emit({ step: 'host_health', host: host.name });
    const deadline = performance.now() + config.timeouts.health_ms;
    let last = '';
    for (;;) {
      // A fresh look-up each time: a probe that timed out ended the connection.
      const ssh = await session(host);
      const result = await ssh.run(commands.health(), { timeoutMs: Math.min(commandMs, 15_000) });
      if (result.code === 0) return;
      last = (result.stderr || result.stdout).trim().split('\n').at(-1) ?? `exit ${result.code}`;
      if (performance.now() >= deadline) {
        throw new HostFailure(
          host.name,
          'host_health',
          `${config.host_health.service} did not become healthy within ${Math.round(config.timeouts.health_ms / 1000)} s (${scrub(last).slice(0, 200)})`,
        );
      }
      await deps.sleep(deps.healthPollMs ?? 2000);
    }
  }

  async function leaveLb(host: HostRef): Promise<void> {
    if (!config.load_balancer_id || host.dropletId === undefined || !deps.droplets) return;
    await emit({ step: 'leave_lb', host: host.name });
    await deps.droplets.removeFromLoadBalancer(config.load_balancer_id, [host.dropletId]);
    outOfLb.add(host.name);
  }

  async function joinLb(host: HostRef): Promise<void> {
    if (!outOfLb.has(host.name) || host.dropletId === undefined || !deps.droplets) return;
    await emit({ step: 'join_lb', host: host.name });
    await deps.droplets.addToLoadBalancer(config.load_balancer_id as string, [host.dropletId]);
    outOfLb.delete(host.name);
  }

  async function readRelease(host: HostRef): Promise<string | null> {
    const result = await (await session(host)).run(commands.readRelease(), { timeoutMs: commandMs });
    if (result.code === 0) return result.stdout;
    if (result.code === 3) return null;
    throw new HostFailure(
      host.name,
      'resolve',
      `could not read ${config.release_file} (exit ${result.code})`,
    );
  }

  async function needsPull(host: HostRef): Promise<boolean> {
    if (!input.pullOnlyMissing) return true;
    const refs = release.services.map((s) => `${s.image}@${s.digest}`);
    const result = await (await session(host)).run(commands.imagesPresent(refs), { timeoutMs: commandMs });
    return result.code !== 0;
  }

  async function updateHost(host: HostRef, runMigration: boolean): Promise<void> {
    previous.set(host.name, await readRelease(host));
    await step(host, 'resolve', commands.writeRelease(releaseText));
    if (await needsPull(host)) await step(host, 'pull', commands.pull());
    await leaveLb(host);
    started.add(host.name); // before the step: an `up` that timed out may have half-applied
    await step(host, 'up', commands.up());
    if (runMigration && config.migrate) {
      await step(host, 'migrate', commands.migrate(config.migrate));
      result.migratedOn = host.name;
    }
    await waitHealthy(host);
    await joinLb(host);
    updated.push(host.name);
    await emit({ step: 'host_done', host: host.name });
  }

  async function restore(host: HostRef): Promise<{ host: string; reason: string } | undefined> {
    if (!previous.has(host.name)) return undefined; // never touched
    const before = previous.get(host.name);
    if (before === null || before === undefined) {
      return { host: host.name, reason: 'it had no release before this one' };
    }
    try {
      await step(host, 'restore', commands.writeRelease(before));
      if (started.has(host.name)) {
        await step(host, 'restore', commands.up());
        await waitHealthy(host);
      }
      await joinLb(host);
      return undefined;
    } catch (err) {
      return { host: host.name, reason: plainErrorText(err) };
    }
  }

  /** The failing host and every host already updated go back, newest first. */
  async function restoreTouched(): Promise<void> {
    const touched = input.hosts.filter((h) => previous.has(h.name));
    for (const h of touched.reverse()) {
      const problem = await restore(h);
      if (problem) result.notRestored.push(problem);
      else result.restored.push(h.name);
    }
    updated.length = 0;
  }

  async function logTail(host: HostRef, failedStep: RolloutEvent['step']): Promise<string | undefined> {
    const service =
      failedStep === 'migrate' && config.migrate ? config.migrate.service : config.host_health.service;
    try {
      const result = await (await session(host)).run(commands.logs(service, 50), { timeoutMs: 30_000 });
      const lines = scrub(`${result.stdout}${result.stderr}`).trimEnd().split('\n').slice(-LOG_LINES);
      return lines.join('\n').slice(-3000) || undefined;
    } catch {
      return undefined; // the failure itself is reported; the logs are a courtesy
    }
  }

  // With a load balancer, never take every host out at once.
  const batchSize = config.load_balancer_id
    ? Math.max(1, Math.min(config.batch, input.hosts.length - 1))
    : config.batch;
  const [first, ...rest] = input.hosts;
  const batches: HostRef[][] = first ? [[first]] : [];
  for (let i = 0; i < rest.length; i += batchSize) batches.push(rest.slice(i, i + batchSize));

  try {
    // Every host is reached (and its key checked) before the first one changes: an
    // unreachable or impostor host stops the rollout while nothing has moved.
    const reach = await Promise.allSettled(input.hosts.map((h) => session(h)));
    const unreachable = reach.findIndex((r) => r.status === 'rejected');
    if (unreachable !== -1) {
      const err = (reach[unreachable] as PromiseRejectedResult).reason as unknown;
      result.ok = false;
      result.failedHost = (input.hosts[unreachable] as HostRef).name;
      result.reason = plainErrorText(err);
      await emit({ step: 'host_failed', host: result.failedHost, detail: result.reason });
      return result;
    }
    for (const [index, batch] of batches.entries()) {
      const outcomes = await Promise.allSettled(
        batch.map((h) => updateHost(h, input.migrate && index === 0)),
      );
      const failedAt = outcomes.findIndex((o) => o.status === 'rejected');
      if (failedAt === -1) continue;
      const err = (outcomes[failedAt] as PromiseRejectedResult).reason as unknown;
      const host = batch[failedAt] as HostRef;
      const failedStep = err instanceof HostFailure ? err.step : 'resolve';
      result.ok = false;
      result.failedHost = host.name;
      result.reason = plainErrorText(err);
      if (['up', 'migrate', 'host_health'].includes(failedStep)) {
        const tail = await logTail(host, failedStep);
        if (tail) result.logTail = tail;
      }
      await emit({ step: 'host_failed', host: host.name, detail: result.reason });
      await restoreTouched();
      return result;
    }
    if (input.finalCheck) {
      await emit({ step: 'health_url' });
      result.healthUrl = await input.finalCheck();
      if (!result.healthUrl.ok) {
        result.ok = false;
        result.reason = `health_url answered ${result.healthUrl.detail}`;
        if (input.restoreOnFinalFailure) await restoreTouched();
      }
    }
    return result;
  } finally {
    for (const ssh of sessions.values()) ssh.close();
  }
}
