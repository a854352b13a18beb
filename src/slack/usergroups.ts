import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

export interface UsergroupDirectory {
  /** Members of a Slack user group; empty when it cannot be read. */
  members(usergroupId: string): Promise<ReadonlySet<string>>;
}

/**
 * User-group membership from the Web API, cached for a short time: long enough that a
 * burst of commands costs one call (usergroups.users.list is tier 2), short enough that
 * removing someone from a group takes effect within a minute.
 */
export function createUsergroupDirectory(options: {
  client: WebClient;
  clock: Clock;
  log: Logger;
  ttlMs?: number;
}): UsergroupDirectory {
  const ttl = options.ttlMs ?? 60_000;
  const cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();
  let warnedPlan = false;

  async function fetchMembers(usergroup: string): Promise<ReadonlySet<string>> {
    try {
      const result = await options.client.usergroups.users.list({ usergroup });
      return new Set(result.users ?? []);
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code === 'plan_upgrade_required') {
        if (!warnedPlan)
          options.log.warn('user groups need a paid Slack plan: list users in access.roles instead');
        warnedPlan = true;
      } else {
        options.log.warn({ usergroup, code }, 'could not read user group members');
      }
      cache.delete(usergroup);
      return new Set();
    }
  }

  return {
    members(usergroupId) {
      const now = options.clock.now();
      const hit = cache.get(usergroupId);
      if (hit && now - hit.at < ttl) return hit.members;
      const members = fetchMembers(usergroupId);
      cache.set(usergroupId, { at: now, members });
      return members;
    },
  };
}
