import type { SandboxDroplets } from './droplet-env.js';
import type { SandboxHost } from './droplet-hosts.js';

export const HOST_USAGE = 'host <staging|production> <1|2> <down|unhealthy|fail pull|fail up|fail exec|ok>';

/**
 * `host production 2 unhealthy`: steers one simulated host of the sandbox's Droplet
 * app, to see /health flag it (and, once /deploy drives Droplets, a rollout stop there).
 * Returns what to print.
 */
export function hostCommand(droplets: SandboxDroplets, args: string[]): string {
  const [env, n, what, step] = args;
  const list: SandboxHost[] | undefined =
    env === 'staging' ? droplets.staging : env === 'production' ? droplets.production : undefined;
  const host = list?.[Number(n) - 1];
  if (!list || !host) return `Usage: ${HOST_USAGE}`;
  const name = `api ${env} host ${n} (${host.address})`;
  switch (what) {
    case 'down':
      host.setDown(true);
      return `${name} is down: it drops SSH connections.`;
    case 'unhealthy':
      host.unhealthyWhen('@sha256');
      return `${name}'s containers are unhealthy.`;
    case 'fail':
      if (step !== 'pull' && step !== 'up' && step !== 'exec') return `Usage: ${HOST_USAGE}`;
      host.failOn(step);
      return `On ${name}, docker compose ${step} fails.`;
    case 'ok':
      host.setDown(false);
      host.unhealthyWhen(undefined);
      host.failOn(undefined);
      return `${name} is up and healthy again.`;
    default:
      return `Usage: ${HOST_USAGE}`;
  }
}
