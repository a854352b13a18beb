import type { DropletsConfig } from '../../src/config/schema.js';
import { scrub } from '../../src/secrets.js';
import type { SshSession } from '../../src/ssh/client.js';
import type { HostHealth, TargetHealth } from '../deploy/target.js';
import { composeCommands } from './compose.js';
import type { HostRef } from './hosts.js';
import { digestsOf, parseReleaseFile } from './release-file.js';

/** Each host at once: reachable over SSH, which release it runs, host_health answering. */
export async function hostsHealth(
  config: DropletsConfig,
  hosts: HostRef[],
  connect: (host: HostRef) => Promise<SshSession>,
): Promise<TargetHealth> {
  const commands = composeCommands(config);
  const timeoutMs = Math.min(config.timeouts.command_ms, 15_000);
  const results = await Promise.all(
    hosts.map(async (host): Promise<HostHealth> => {
      let ssh: SshSession | undefined;
      try {
        ssh = await connect(host);
        const file = await ssh.run(commands.readRelease(), { timeoutMs });
        const digests =
          file.code === 0 ? digestsOf(parseReleaseFile(config, file.stdout).services) : undefined;
        const probe = await ssh.run(commands.health(), { timeoutMs });
        const last = (probe.stderr || probe.stdout).trim().split('\n').at(-1) ?? '';
        return {
          host: host.name,
          reachable: true,
          ...(digests ? { releaseDigests: digests } : {}),
          healthy: probe.code === 0,
          detail: probe.code === 0 ? 'healthy' : scrub(last).slice(0, 200) || `exit ${probe.code}`,
        };
      } catch (err) {
        return {
          host: host.name,
          reachable: false,
          healthy: false,
          detail: scrub(err instanceof Error ? err.message : String(err)).slice(0, 200),
        };
      } finally {
        ssh?.close();
      }
    }),
  );
  const state = results.every((r) => r.healthy) ? 'good' : 'bad';
  return { state, hosts: results };
}
