import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropletApi } from '../../src/do/droplets.js';
import { type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';

/**
 * What DigitalOcean refuses on the Droplet and load balancer routes (OpenAPI:
 * droplets_list, loadBalancers_{add,remove}_droplets, shared error/paging models), as
 * the simulator answers it, and what dockside then tells the person.
 */
let sim: DoSimulator;
let ids: number[] = [];
beforeAll(async () => {
  sim = await startDoSimulator({ phaseDelayMs: 20 });
  ids = Array.from({ length: 5 }, (_, i) =>
    sim.droplets.addDroplet({
      name: `web-${i}`,
      tags: i < 3 ? ['web'] : [],
      privateIp: `10.1.0.${i}`,
      publicIp: `198.51.100.${i}`,
    }),
  ).map((d) => d.id);
  sim.droplets.addLoadBalancer({ id: 'lb-ids', dropletIds: ids.slice(0, 3) });
  sim.droplets.addLoadBalancer({ id: 'lb-tagged', tag: 'web' });
});
afterAll(() => sim?.close());

const api = () =>
  createDropletApi({
    token: sim.token,
    endpoint: sim.url,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  });

async function call(method: string, path: string, body?: string) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const errorBody = (id: string) => ({ id, message: expect.any(String), request_id: expect.any(String) });

describe('the simulator holds Droplet and load balancer calls to the API description', () => {
  it('pages with absolute links and a total, and refuses per_page over 200 or page 0', async () => {
    const first = await call('GET', '/droplets?per_page=2');
    expect(first.status).toBe(200);
    expect(first.body?.meta).toEqual({ total: 5 });
    expect(first.body?.links).toEqual({
      pages: { next: `${sim.url}/droplets?per_page=2&page=2`, last: `${sim.url}/droplets?per_page=2&page=3` },
    });
    const last = await call('GET', '/droplets?per_page=2&page=3');
    expect(last.body?.links).toEqual({
      pages: {
        first: `${sim.url}/droplets?per_page=2&page=1`,
        prev: `${sim.url}/droplets?per_page=2&page=2`,
      },
    });
    expect(await call('GET', '/droplets?per_page=200')).toMatchObject({ status: 200 });
    expect(await call('GET', '/droplets?per_page=201')).toEqual({
      status: 400,
      body: errorBody('bad_request'),
    });
    expect(await call('GET', '/droplets?page=0')).toEqual({ status: 400, body: errorBody('bad_request') });
  });

  it('filters by tag_name and refuses it combined with name', async () => {
    const tagged = await call('GET', '/droplets?tag_name=web');
    expect(((tagged.body?.droplets ?? []) as Array<{ name: string }>).map((d) => d.name)).toEqual([
      'web-0',
      'web-1',
      'web-2',
    ]);
    expect(await call('GET', '/droplets?tag_name=web&name=web-0')).toEqual({
      status: 400,
      body: errorBody('bad_request'),
    });
  });

  it('answers 204 with no body on add and remove', async () => {
    const body = JSON.stringify({ droplet_ids: [ids[3]] });
    expect(await call('POST', '/load_balancers/lb-ids/droplets', body)).toEqual({
      status: 204,
      body: undefined,
    });
    expect(await call('DELETE', '/load_balancers/lb-ids/droplets', body)).toEqual({
      status: 204,
      body: undefined,
    });
  });

  it('refuses bodies of the wrong types (400), without Droplets or with unknown ones (422)', async () => {
    const refusals: Array<[string, number, string]> = [
      ['{"droplet_ids":"1"}', 400, 'bad_request'],
      ['{"droplet_ids":[1.5]}', 400, 'bad_request'],
      [`[${ids[0]}]`, 400, 'bad_request'],
      ['{not json', 400, 'bad_request'],
      ['{}', 422, 'unprocessable_entity'],
      ['{"droplet_ids":[]}', 422, 'unprocessable_entity'],
      ['{"droplet_ids":[424242]}', 422, 'unprocessable_entity'],
    ];
    for (const [body, status, id] of refusals) {
      const answer = await call('POST', '/load_balancers/lb-ids/droplets', body);
      expect({ sent: body, ...answer }).toEqual({ sent: body, status, body: errorBody(id) });
    }
    expect(sim.droplets.loadBalancer('lb-ids').history).toEqual([
      { action: 'add', dropletIds: [ids[3]] },
      { action: 'remove', dropletIds: [ids[3]] },
    ]);
  });

  it('refuses single Droplets on a load balancer that picks them by tag, and an unknown one with 404', async () => {
    const body = JSON.stringify({ droplet_ids: [ids[0]] });
    expect(await call('POST', '/load_balancers/lb-tagged/droplets', body)).toEqual({
      status: 422,
      body: errorBody('unprocessable_entity'),
    });
    expect(await call('DELETE', '/load_balancers/nope/droplets', body)).toEqual({
      status: 404,
      body: errorBody('not_found'),
    });
  });
});

describe('dockside explains what DigitalOcean refused', () => {
  it('asks for at most 200 Droplets a page', async () => {
    sim.clearRequests();
    await api().listDroplets({ tag: 'web' });
    expect(sim.requests({ route: '/v2/droplets' }).map((r) => r.query.per_page)).toEqual(['200']);
  });

  it('names the Droplet DigitalOcean does not know, with the request id to quote', async () => {
    const err = await api()
      .addToLoadBalancer('lb-ids', [424242])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'do_api_failed',
      message: expect.stringMatching(/add Droplets 424242 to load balancer lb-ids \(HTTP 422\): .*424242/),
      hint: expect.stringMatching(/no longer exist.*DigitalOcean request id [0-9a-f-]{36}/),
    });
  });

  it('says a load balancer that picks Droplets by tag needs another load_balancer_id', async () => {
    const err = await api()
      .removeFromLoadBalancer('lb-tagged', [ids[0] as number])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'do_api_failed',
      hint: expect.stringContaining('droplets.load_balancer_id a load balancer that lists them by id'),
    });
  });

  it('names the token scopes when DigitalOcean refuses the token', async () => {
    sim.injectFault({
      route: 'GET /v2/droplets',
      status: 403,
      body: { id: 'forbidden', message: 'You are not authorized to perform this operation' },
    });
    const err = await api()
      .listDroplets({ tag: 'web' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'do_api_failed',
      hint: expect.stringContaining('droplet:read, tag:read'),
    });
  });

  it('keeps a load balancer id from the config from pinging the channel', async () => {
    const err = await api()
      .addToLoadBalancer('<!channel>', [ids[0] as number])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'do_not_found' });
    expect((err as Error).message).toContain('&lt;!channel&gt;');
    expect((err as Error).message).not.toContain('<!channel>');
  });
});
