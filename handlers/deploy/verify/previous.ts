import type { Deployment, DoClient } from '../../../src/do/port.js';
import { wentLive } from '../watch.js';

/**
 * The deployment that served before `current`: the newest older one that went live.
 * Used for the log comparison and the Roll back button; null when there is none.
 */
export async function previousLiveDeployment(
  doClient: DoClient,
  appId: string,
  current: Deployment,
): Promise<string | null> {
  const all = await doClient.listDeployments(appId, { perPage: 20 });
  const before = all
    .filter((d) => d.id !== current.id && d.createdAt < current.createdAt && wentLive(d))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return before[0]?.id ?? null;
}
