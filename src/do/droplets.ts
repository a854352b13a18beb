import { z } from 'zod';
import { type Clock, sleep as realSleep, systemClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { escapeText } from '../render/format.js';
import { registerSecret } from '../secrets.js';
import { type CallSubject, toDocksideError } from './errors.js';
import { createDoHttp, DEFAULT_ENDPOINT, DEFAULT_RETRY, type RetryPolicy } from './http.js';

/**
 * The DigitalOcean calls Droplet targets make (Droplets by tag, load balancer
 * membership), on the same HTTP layer as the App Platform client: token, retries of
 * reads only, timeouts.
 */
export interface DropletInfo {
  id: number;
  name: string;
  privateIp?: string;
  publicIp?: string;
}

export interface DropletApi {
  listDroplets(options?: { tag?: string }): Promise<DropletInfo[]>;
  addToLoadBalancer(loadBalancerId: string, dropletIds: number[]): Promise<void>;
  removeFromLoadBalancer(loadBalancerId: string, dropletIds: number[]): Promise<void>;
}

const DropletsPage = z.object({
  droplets: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      networks: z
        .object({ v4: z.array(z.object({ ip_address: z.string(), type: z.string() })).default([]) })
        .default({ v4: [] }),
    }),
  ),
  links: z.object({ pages: z.object({ next: z.string().optional() }).optional() }).optional(),
});

export function createDropletApi(options: {
  token: string;
  endpoint?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}): DropletApi {
  registerSecret(options.token);
  const clock = options.clock ?? systemClock;
  const http = createDoHttp({
    token: options.token,
    endpoint: (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 15_000,
    retry: options.retry ?? DEFAULT_RETRY,
    sleep: options.sleep ?? realSleep,
    now: () => clock.now(),
    ...(options.log ? { log: options.log } : {}),
  });
  const now = () => clock.now();
  // Scopes from the OpenAPI `security` of loadBalancers_{add,remove}_droplets and droplets_list.
  // The id comes from dockside.yml as any string; it is escaped where it enters mrkdwn.
  const lbSubject = (id: string, action: string): CallSubject => ({
    thing: `Load balancer ${escapeText(id)}`,
    action: `${action} load balancer ${escapeText(id)}`,
    scopes: ['load_balancer:update'],
    refusedHint:
      "A load balancer that picks its Droplets by tag takes no single Droplets: give droplets.load_balancer_id a load balancer that lists them by id. Otherwise the Droplet may no longer exist: check the env's hosts or tag.",
  });

  return {
    async listDroplets(opts = {}) {
      const subject: CallSubject = {
        thing: opts.tag ? `Droplets tagged ${opts.tag}` : 'Droplets',
        action: opts.tag ? `list the Droplets tagged ${opts.tag}` : 'list the Droplets',
        scopes: opts.tag ? ['droplet:read', 'tag:read'] : ['droplet:read'],
      };
      const out: DropletInfo[] = [];
      for (let page = 1; page <= 50; page++) {
        try {
          const res = await http.get('/droplets', {
            params: { per_page: 200, page, ...(opts.tag ? { tag_name: opts.tag } : {}) },
          });
          const body = DropletsPage.parse(res.data);
          for (const d of body.droplets) {
            const ip = (type: string) => d.networks.v4.find((n) => n.type === type)?.ip_address;
            const privateIp = ip('private');
            const publicIp = ip('public');
            out.push({
              id: d.id,
              name: d.name,
              ...(privateIp ? { privateIp } : {}),
              ...(publicIp ? { publicIp } : {}),
            });
          }
          if (!body.links?.pages?.next) return out;
        } catch (err) {
          throw toDocksideError(err, subject, now);
        }
      }
      return out;
    },
    async addToLoadBalancer(id, dropletIds) {
      try {
        await http.post(`/load_balancers/${encodeURIComponent(id)}/droplets`, { droplet_ids: dropletIds });
      } catch (err) {
        throw toDocksideError(err, lbSubject(id, `add Droplets ${dropletIds.join(', ')} to`), now);
      }
    },
    async removeFromLoadBalancer(id, dropletIds) {
      try {
        await http.delete(`/load_balancers/${encodeURIComponent(id)}/droplets`, {
          data: { droplet_ids: dropletIds },
        });
      } catch (err) {
        throw toDocksideError(err, lbSubject(id, `take Droplets ${dropletIds.join(', ')} out of`), now);
      }
    },
  };
}
