import { pageOf } from './paging.js';
import { SimHttpError } from './types.js';

/**
 * Droplets and load balancers, as far as Droplet targets use them: list Droplets (by
 * tag), and add/remove Droplets to/from a load balancer (DO has no drain call).
 * Shapes from DigitalOcean's OpenAPI description: droplets/droplets_list.yml,
 * load_balancers/loadBalancers_{add,remove}_droplets.yml.
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
  /** A load balancer that selects its Droplets by tag refuses single Droplets (422). */
  tag?: string;
  dropletIds: number[];
  /** Every add/remove, in order, so tests can check a host left before it was updated. */
  history: Array<{ action: 'add' | 'remove'; dropletIds: number[] }>;
}

interface Answer {
  status: number;
  body: unknown;
}

const NOT_FOUND = 'The resource you were accessing could not be found.';

export class DropletSim {
  readonly droplets = new Map<number, SimDroplet>();
  readonly loadBalancers = new Map<string, SimLoadBalancer>();
  /** Where `links.pages` point: the simulator's own origin once it listens. */
  baseUrl = 'http://127.0.0.1';
  private nextId = 3_000_000;

  addDroplet(input: Omit<SimDroplet, 'id'> & { id?: number }): SimDroplet {
    const droplet = { ...input, id: input.id ?? this.nextId++ };
    this.droplets.set(droplet.id, droplet);
    return droplet;
  }

  addLoadBalancer(input: {
    id: string;
    name?: string;
    dropletIds?: number[];
    tag?: string;
  }): SimLoadBalancer {
    const lb: SimLoadBalancer = {
      id: input.id,
      name: input.name ?? input.id,
      ...(input.tag ? { tag: input.tag } : {}),
      dropletIds: [...(input.dropletIds ?? [])],
      history: [],
    };
    this.loadBalancers.set(lb.id, lb);
    return lb;
  }

  loadBalancer(id: string): SimLoadBalancer {
    const lb = this.loadBalancers.get(id);
    if (!lb) throw new SimHttpError(404, 'not_found', NOT_FOUND);
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

/**
 * `{droplet_ids: integer[]}`, required. The description documents 204, 401, 404, 429 and
 * 500, and a 422 for a tag-selected balancer; which status answers a malformed body or an
 * unknown Droplet it leaves open, so this is a model: a body of the wrong JSON types
 * cannot be decoded at all (400, as for unparsable JSON); a decodable one without
 * Droplets, or naming Droplets that do not exist, is unprocessable (422).
 */
function dropletIds(sim: DropletSim, body: unknown): number[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SimHttpError(400, 'bad_request', 'error parsing request body: expected a JSON object');
  }
  const ids = (body as Record<string, unknown>).droplet_ids;
  if (ids !== undefined && ids !== null) {
    if (!Array.isArray(ids) || !ids.every((i) => Number.isSafeInteger(i))) {
      throw new SimHttpError(
        400,
        'bad_request',
        'error parsing request body: droplet_ids must be an array of integers',
      );
    }
  }
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new SimHttpError(422, 'unprocessable_entity', 'droplet_ids must list at least one Droplet');
  }
  const unknown = (ids as number[]).filter((id) => !sim.droplets.has(id));
  if (unknown.length > 0) {
    throw new SimHttpError(422, 'unprocessable_entity', `Droplets not found: ${unknown.join(', ')}`);
  }
  return ids as number[];
}

function byIdOnly(lb: SimLoadBalancer): void {
  if (lb.tag) {
    throw new SimHttpError(
      422,
      'unprocessable_entity',
      `load balancer ${lb.id} selects its Droplets by tag ${lb.tag}; Droplets cannot be added or removed by id`,
    );
  }
}

function listDroplets(sim: DropletSim, query: URLSearchParams): Answer {
  const tag = query.get('tag_name');
  const name = query.get('name');
  // droplet_tag_name: `tag_name` cannot be combined with `name` or `type`.
  if (tag !== null && (name !== null || query.get('type') !== null)) {
    throw new SimHttpError(400, 'bad_request', 'tag_name cannot be combined with name or type');
  }
  const all = [...sim.droplets.values()].filter(
    (d) =>
      (tag === null || d.tags.includes(tag)) &&
      (name === null || d.name.toLowerCase() === name.toLowerCase()),
  );
  const page = pageOf(all, query, sim.baseUrl, '/v2/droplets');
  return { status: 200, body: { droplets: page.items.map(dropletJson), links: page.links, meta: page.meta } };
}

/** Answers the Droplet and load balancer routes, or undefined when the route is not one of them. */
export function routeDroplets(
  sim: DropletSim,
  method: string,
  template: string,
  params: string[],
  query: URLSearchParams,
  body: unknown,
): Answer | undefined {
  switch (`${method} ${template}`) {
    case 'GET /v2/droplets':
      return listDroplets(sim, query);
    case 'GET /v2/load_balancers/:id': {
      const lb = sim.loadBalancer(params[0] ?? '');
      const load_balancer = {
        id: lb.id,
        name: lb.name,
        droplet_ids: lb.dropletIds,
        ...(lb.tag ? { tag: lb.tag } : {}),
      };
      return { status: 200, body: { load_balancer } };
    }
    case 'POST /v2/load_balancers/:id/droplets': {
      const lb = sim.loadBalancer(params[0] ?? '');
      const ids = dropletIds(sim, body);
      byIdOnly(lb);
      for (const id of ids) if (!lb.dropletIds.includes(id)) lb.dropletIds.push(id);
      lb.history.push({ action: 'add', dropletIds: ids });
      return { status: 204, body: undefined };
    }
    case 'DELETE /v2/load_balancers/:id/droplets': {
      const lb = sim.loadBalancer(params[0] ?? '');
      const ids = dropletIds(sim, body);
      byIdOnly(lb);
      lb.dropletIds = lb.dropletIds.filter((id) => !ids.includes(id));
      lb.history.push({ action: 'remove', dropletIds: ids });
      return { status: 204, body: undefined };
    }
    default:
      return undefined;
  }
}
