import type { DropletsConfig } from '../../src/config/schema.js';
import { scrub } from '../../src/secrets.js';
import type { SshSession } from '../../src/ssh/client.js';
import type { HostHealth, TargetHealth } from '../deploy/target.js';
import { composeCommands } from './compose.js';
import type { HostRef } from './hosts.js';
import { digestsOf, parseReleaseFile } from './release-file.js';

export interface HostsHealthOptions {
  /** Each remote command; default min(command_ms, 15 s), the rollout's own health bound. */
  timeoutMs?: number;
}

interface Stage {
  connected: boolean;
  abandoned: boolean;
  ssh?: SshSession;
}

const line = (text: string) => scrub(text).replace(/\s+/g, ' ').trim().slice(0, 200);

/**
 * Each host at once: reachable over SSH, which release it runs, host_health answering.
 * A host gets at most connect_ms + one command timeout (its two commands run at once)
 * and a little for the handshake, enforced here as well as by the SSH client: a host
 * that accepts TCP and then goes silent is reported as such instead of holding up
 * everyone's /health.
 */
export async function hostsHealth(
  config: DropletsConfig,
  hosts: HostRef[],
  connect: (host: HostRef) => Promise<SshSession>,
  options: HostsHealthOptions = {},
): Promise<TargetHealth> {
  const commands = composeCommands(config);
  const timeoutMs = options.timeoutMs ?? Math.min(config.timeouts.command_ms, 15_000);
  const budgetMs = config.timeouts.connect_ms + timeoutMs + 500;

  const check = async (host: HostRef, stage: Stage) => {
    const ssh = await connect(host);
    stage.ssh = ssh;
    // The deadline passed while connecting: nobody reads this any more.
    if (stage.abandoned) {
      ssh.close();
      throw new Error('abandoned');
    }
    stage.connected = true;
    // Two channels on one connection, at once: a host costs one round of commands, not two.
    const [file, probe] = await Promise.all([
      ssh.run(commands.readRelease(), { timeoutMs }),
      ssh.run(commands.health(), { timeoutMs }),
    ]);
    const parsed = file.code === 0 ? parseReleaseFile(config, file.stdout) : undefined;
    const last = (probe.stderr || probe.stdout).trim().split('\n').at(-1) ?? '';
    const health: HostHealth = {
      host: host.name,
      reachable: true,
      ...(parsed
        ? {
            releaseDigests: digestsOf(parsed.services),
            release: { id: parsed.id ?? 'unknown', services: parsed.services },
          }
        : {}),
      healthy: probe.code === 0,
      detail:
        probe.code === 0
          ? 'healthy'
          : line(last) || (probe.code === null ? 'no answer' : `exit ${probe.code}`),
    };
    return health;
  };

  const results = await Promise.all(
    hosts.map(async (host): Promise<HostHealth> => {
      const stage: Stage = { connected: false, abandoned: false };
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${Math.round(budgetMs / 100) / 10} s`)),
          budgetMs,
        );
      });
      try {
        return await Promise.race([check(host, stage), deadline]);
      } catch (err) {
        return {
          host: host.name,
          reachable: stage.connected,
          healthy: false,
          detail: line(err instanceof Error ? err.message : String(err)) || 'failed',
        };
      } finally {
        clearTimeout(timer);
        stage.abandoned = true;
        stage.ssh?.close();
      }
    }),
  );
  const state = results.length > 0 && results.every((r) => r.healthy) ? 'good' : 'bad';
  return { state, hosts: results };
}
