import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropletApi } from '../../src/do/droplets.js';
import { type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';

let sim: DoSimulator;
beforeAll(async () => {
  sim = await startDoSimulator({ phaseDelayMs: 20 });
  for (let i = 0; i < 250; i++) {
    sim.droplets.addDroplet({
      name: `d${String(i).padStart(3, '0')}`,
      tags: i % 50 === 0 ? ['api-prod'] : [],
      privateIp: `10.0.${Math.floor(i / 200)}.${i % 200}`,
      publicIp: `203.0.113.${i % 250}`,
    });
  }
  sim.droplets.addLoadBalancer({ id: 'lb-1', dropletIds: [] });
});
afterAll(() => sim?.close());

const api = () =>
  createDropletApi({
    token: sim.token,
    endpoint: sim.url,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  });

describe('DigitalOcean calls of Droplet targets (against the simulator)', () => {
  it('lists every Droplet across pages, and only the tagged ones by tag', async () => {
    expect((await api().listDroplets()).length).toBe(250);
    const tagged = await api().listDroplets({ tag: 'api-prod' });
    expect(tagged.map((d) => d.name)).toEqual(['d000', 'd050', 'd100', 'd150', 'd200']);
    expect(tagged[4]).toMatchObject({ privateIp: '10.0.1.0', publicIp: '203.0.113.200' });
    expect(sim.requests({ route: '/v2/droplets' }).at(-1)?.query).toMatchObject({ tag_name: 'api-prod' });
  });

  it('adds to and removes from a load balancer', async () => {
    const [first] = await api().listDroplets({ tag: 'api-prod' });
    await api().addToLoadBalancer('lb-1', [first!.id]);
    expect(sim.droplets.loadBalancer('lb-1').dropletIds).toEqual([first!.id]);
    await api().removeFromLoadBalancer('lb-1', [first!.id]);
    expect(sim.droplets.loadBalancer('lb-1').history).toEqual([
      { action: 'add', dropletIds: [first!.id] },
      { action: 'remove', dropletIds: [first!.id] },
    ]);
    expect(sim.requests({ method: 'DELETE' }).at(-1)?.route).toBe('/v2/load_balancers/:id/droplets');
  });

  it('names a load balancer that does not exist', async () => {
    await expect(api().removeFromLoadBalancer('lb-gone', [1])).rejects.toMatchObject({
      code: 'do_not_found',
      message: expect.stringContaining('Load balancer lb-gone'),
    });
  });
});
