import { scrub } from '../../src/secrets.js';
import type { DeployTarget, HostHealth } from '../deploy/target.js';
import type { CheckResult, HostView } from './types.js';

/** The digests a host runs, as one comparable key ('' when it runs nothing yet). */
const releaseKey = (h: HostHealth) =>
  (h.release?.services ?? [])
    .map((s) => `${s.service}=${s.digest}`)
    .sort()
    .join(',');

/**
 * Flags what a person should look at: a host that cannot be reached, one whose
 * containers are unhealthy, and one that runs another release than most of the
 * hosts (ties go to the first host in rollout order, which a deploy updates first).
 */
export function hostViews(hosts: HostHealth[]): HostView[] {
  const counts = new Map<string, number>();
  for (const h of hosts) if (h.reachable) counts.set(releaseKey(h), (counts.get(releaseKey(h)) ?? 0) + 1);
  let reference: string | undefined;
  for (const h of hosts) {
    if (!h.reachable) continue;
    const key = releaseKey(h);
    if (reference === undefined || (counts.get(key) ?? 0) > (counts.get(reference) ?? 0)) reference = key;
  }
  return hosts.map((h) => {
    const flags: string[] = [];
    if (!h.reachable) flags.push('unreachable');
    else if (!h.healthy) flags.push('unhealthy');
    if (h.reachable && reference !== undefined && releaseKey(h) !== reference) flags.push('other release');
    return {
      host: h.host,
      reachable: h.reachable,
      healthy: h.healthy,
      detail: h.detail,
      services: (h.release?.services ?? []).map((s) => ({
        service: s.service,
        digest: s.digest,
        ...(s.tag ? { tag: s.tag } : {}),
      })),
      ...(h.release ? { releaseId: h.release.id } : {}),
      flags,
    };
  });
}

/** A Droplet env's hosts as one check (and the per-host rows /health shows under it). */
export async function checkHosts(
  target: () => DeployTarget,
  timeoutMs: number,
): Promise<{ check: CheckResult; hosts?: HostView[] }> {
  try {
    const health = await target().health({ timeoutMs });
    const hosts = hostViews(health.hosts);
    const flagged = hosts.filter((h) => h.flags.length > 0);
    const ok = hosts.length - flagged.length;
    const why = flagged.map((h) => `${h.host} ${h.flags.join(', ')}`).join('; ');
    const detail = `${ok}/${hosts.length} hosts ok${why ? `: ${why}` : ''}`;
    return { check: { name: 'hosts', state: flagged.length > 0 ? 'bad' : 'good', detail }, hosts };
  } catch (err) {
    // Not even the host list (the DO API did not answer a tag lookup, the target could
    // not be built): not known, not bad, and never the end of everyone else's report.
    const message = err instanceof Error ? err.message : String(err);
    return { check: { name: 'hosts', state: 'unknown', detail: scrub(message).slice(0, 200) } };
  }
}
