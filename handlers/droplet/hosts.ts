import type { DropletsConfig } from '../../src/config/schema.js';
import type { DropletApi } from '../../src/do/droplets.js';
import { DocksideError } from '../../src/errors.js';
import { escapeText } from '../../src/render/format.js';
import { knownHostName, parseHostEntry } from '../../src/ssh/known-hosts.js';

/** One host of a Droplet env: where to SSH, and its Droplet id when a load balancer needs it. */
export interface HostRef {
  host: string;
  port: number;
  /** `host` or `[host]:port`: how messages and host_keys name it. */
  name: string;
  dropletId?: number;
}

/**
 * The env's hosts in rollout order: the configured list as written, or the Droplets
 * carrying the tag (by name), reached on their private IPv4. With a load balancer,
 * each host must be a Droplet the token can see, or it could not be taken out of it.
 */
export async function resolveHosts(config: DropletsConfig, api: DropletApi | undefined): Promise<HostRef[]> {
  const needIds = config.load_balancer_id !== undefined;
  if (config.tag !== undefined) {
    if (!api) throw new DocksideError('not_available', 'Droplets by tag need the DigitalOcean API.');
    const droplets = (await api.listDroplets({ tag: config.tag })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    if (droplets.length === 0) {
      throw new DocksideError('deploy_failed', `No Droplet carries the tag ${config.tag}.`, {
        hint: 'Tag the Droplets of this env, or list them under hosts.',
      });
    }
    return droplets.map((d) => {
      if (!d.privateIp) {
        // Droplet names come from DigitalOcean: escaped where they enter mrkdwn.
        throw new DocksideError(
          'deploy_failed',
          `Droplet ${escapeText(d.name)} has no private IPv4 address.`,
          {
            hint: 'Enable the VPC network on it, or list the hosts under hosts.',
          },
        );
      }
      return {
        host: d.privateIp,
        port: config.port,
        name: knownHostName(d.privateIp, config.port),
        dropletId: d.id,
      };
    });
  }
  const entries = (config.hosts ?? []).map((e) => parseHostEntry(e, config.port));
  const droplets = needIds && api ? await api.listDroplets() : [];
  return entries.map(({ host, port }) => {
    const name = knownHostName(host, port);
    if (!needIds) return { host, port, name };
    const droplet = droplets.find((d) => d.privateIp === host || d.publicIp === host);
    if (!droplet) {
      throw new DocksideError('deploy_failed', `${name} is not a Droplet this DigitalOcean token can see.`, {
        hint: 'Without its Droplet id it cannot leave the load balancer while it is updated; check hosts and the token.',
      });
    }
    return { host, port, name, dropletId: droplet.id };
  });
}
