import type { WorldOptions } from '../../../src/sandbox/world.js';
import { testWorld } from '../../helpers/world.js';
import { startFaultProxy } from './http-fault-proxy.js';

/** A test world whose bots reach DigitalOcean and Slack through fault proxies. */
export async function faultWorld(options: Partial<WorldOptions> = {}) {
  const doProxy = await startFaultProxy();
  const slackProxy = await startFaultProxy();
  const world = await testWorld({
    ...options,
    doApiUrl: (sim) => doProxy.urlFor(sim.url),
    slackApiUrl: (slack) => `${slackProxy.urlFor(slack.url)}/api/`,
  });
  return { world, doProxy, slackProxy };
}

export const isCreateDeployment = (req: { method: string; path: string }) =>
  req.method === 'POST' && /\/v2\/apps\/[^/]+\/deployments$/.test(req.path);
