import { SimHttpError } from './types.js';

/**
 * Droplets and load balancers, as far as Droplet targets use them: list Droplets (by
 * tag), and add/remove Droplets to/from a load balancer (DO has no drain call).
 */
export interface SimDroplet {
  id: number;
  name: string;
  tags: string[];
  privateIp: string;
  publicIp: string;
}

export interface SimLoadBalancer {
  id: string;
  name: string;
  dropletIds: number[];
  /** Every add/remove, in order, so tests can check a host left before it was updated. */
  history: Array<{ action: 'add' | 'remove'; dropletIds: number[] }>;
}

interface Answer {
  status: number;
  body: unknown;
}

export class DropletSim {
  readonly droplets = new Map<number, SimDroplet>();
  readonly loadBalancers = new Map<string, SimLoadBalancer>();
  private nextId = 3_000_000;

  addDroplet(input: Omit<SimDroplet, 'id'> & { id?: number }): SimDroplet {
    const droplet = { ...input, id: input.id ?? this.nextId++ };
    this.droplets.set(droplet.id, droplet);
    return droplet;
  }

  addLoadBalancer(input: { id: string; name?: string; dropletIds?: number[] }): SimLoadBalancer {
    const lb = {
      id: input.id,
      name: input.name ?? input.id,
      dropletIds: [...(input.dropletIds ?? [])],
      history: [],
    };
    this.loadBalancers.set(lb.id, lb);
    return lb;
  }

  loadBalancer(id: string): SimLoadBalancer {
    const lb = this.loadBalancers.get(id);
    if (!lb) throw new SimHttpError(404, 'not_found', 'The resource you were accessing could not be found.');
    return lb;
  }
}

function dropletJson(d: SimDroplet) {
  return {
    id: d.id,
    name: d.name,
    status: 'active',
    tags: d.tags,
    networks: {
      v4: [
        { ip_address: d.privateIp, type: 'private' },
        { ip_address: d.publicIp, type: 'public' },
      ],
    },
  };
}

function dropletIds(body: Record<string, unknown>): number[] {
  const ids = body.droplet_ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => Number.isInteger(i))) {
    throw new SimHttpError(422, 'unprocessable_entity', 'droplet_ids must be a non-empty list of integers');
  }
  return ids as number[];
}

/** Answers the Droplet and load balancer routes, or undefined when the route is not one of them. */
export function routeDroplets(
  sim: DropletSim,
  method: string,
  template: string,
  params: string[],
  query: URLSearchParams,
  body: Record<string, unknown>,
): Answer | undefined {
  switch (`${method} ${template}`) {
    case 'GET /v2/droplets': {
      const tag = query.get('tag_name');
      const all = [...sim.droplets.values()].filter((d) => !tag || d.tags.includes(tag));
      const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 20) || 20, 1), 200);
      const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
      const more = page * perPage < all.length;
      const next = new URLSearchParams(query);
      next.set('page', String(page + 1));
      return {
        status: 200,
        body: {
          droplets: all.slice((page - 1) * perPage, page * perPage).map(dropletJson),
          links: more ? { pages: { next: `/v2/droplets?${next}` } } : {},
          meta: { total: all.length },
        },
      };
    }
    case 'POST /v2/load_balancers/:id/droplets': {
      const lb = sim.loadBalancer(params[0] ?? '');
      const ids = dropletIds(body);
      for (const id of ids) if (!lb.dropletIds.includes(id)) lb.dropletIds.push(id);
      lb.history.push({ action: 'add', dropletIds: ids });
      return { status: 204, body: undefined };
    }
    case 'DELETE /v2/load_balancers/:id/droplets': {
      const lb = sim.loadBalancer(params[0] ?? '');
      const ids = dropletIds(body);
      lb.dropletIds = lb.dropletIds.filter((id) => !ids.includes(id));
      lb.history.push({ action: 'remove', dropletIds: ids });
      return { status: 204, body: undefined };
    }
    default:
      return undefined;
  }
}
