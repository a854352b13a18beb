import type { DropletsConfig } from '../../src/config/schema.js';
import { DocksideError } from '../../src/errors.js';
import { shortDigest } from '../../src/registry/image.js';
import { scrub } from '../../src/secrets.js';
import type { SshSession } from '../../src/ssh/client.js';
import type { Release } from '../deploy/target.js';
import { composeCommands } from './compose.js';
import type { HostRef } from './hosts.js';
import { parseReleaseFile, sameDigests } from './release-file.js';

export interface HostReading {
  host: string;
  release?: Release;
  /** Set when the host could not be reached or read. */
  error?: Error;
}

/** Each host's release file, read over SSH at once; a host that cannot be read says why. */
export async function readHosts(
  config: DropletsConfig,
  hosts: HostRef[],
  connect: (host: HostRef) => Promise<SshSession>,
): Promise<HostReading[]> {
  const commands = composeCommands(config);
  return Promise.all(
    hosts.map(async (host): Promise<HostReading> => {
      let ssh: SshSession | undefined;
      try {
        ssh = await connect(host);
        const result = await ssh.run(commands.readRelease(), { timeoutMs: config.timeouts.command_ms });
        if (result.code === 3) return { host: host.name };
        if (result.code !== 0) throw new Error(`reading ${config.release_file} exited with ${result.code}`);
        const parsed = parseReleaseFile(config, result.stdout);
        return { host: host.name, release: { id: parsed.id ?? 'unknown', services: parsed.services } };
      } catch (err) {
        return { host: host.name, error: err instanceof Error ? err : new Error(String(err)) };
      } finally {
        ssh?.close();
      }
    }),
  );
}

const describe = (r: Release) =>
  r.services.map((s) => `${s.service} ${shortDigest(s.digest)}`).join(', ') || 'no services';

/** The one release every host runs; refuses when a host is unreachable or they differ. */
export function uniformRelease(app: string, env: string, readings: HostReading[]): Release | undefined {
  const broken = readings.find((r) => r.error);
  if (broken?.error) throw broken.error;
  const withRelease = readings.filter((r) => r.release);
  const first = withRelease[0]?.release;
  if (!first) return undefined;
  const differ = readings.some((r) => !r.release || !sameDigests(r.release.services, first.services));
  if (differ) {
    const list = readings.map((r) => `${r.host}: ${r.release ? describe(r.release) : 'nothing'}`).join('; ');
    throw new DocksideError(
      'deploy_failed',
      scrub(`The hosts of ${app} ${env} do not run the same release (${list}).`),
      {
        hint: `Deploy ${app} ${env} again to bring its hosts together.`,
      },
    );
  }
  return { ...first, services: first.services.map((s) => ({ ...s })) };
}
