import type { AccessRequest } from '../commands/types.js';
import type { Config, Grant } from './config/schema.js';
import { DocksideError } from './errors.js';
import type { UsergroupDirectory } from './slack/usergroups.js';

/** The roles a user holds: listed by id, or through a Slack user group. */
export async function rolesOf(
  user: string,
  config: Config,
  groups: UsergroupDirectory,
): Promise<Set<string>> {
  const roles = new Set<string>();
  await Promise.all(
    Object.entries(config.access.roles).map(async ([role, def]) => {
      if (def.users.includes(user)) {
        roles.add(role);
        return;
      }
      for (const group of def.usergroups) {
        if ((await groups.members(group)).has(user)) {
          roles.add(role);
          return;
        }
      }
    }),
  );
  return roles;
}

function grantCovers(grant: Grant, request: AccessRequest): boolean {
  if (!grant.actions.includes(request.action)) return false;
  if (grant.apps && (!request.app || !grant.apps.includes(request.app))) return false;
  if (grant.envs && (!request.env || !grant.envs.includes(request.env))) return false;
  if (grant.databases && (!request.database || !grant.databases.includes(request.database))) return false;
  return true;
}

/** A lock may be set by anyone who may deploy to that env, or who holds a `lock` grant. */
function widen(request: AccessRequest): AccessRequest[] {
  return request.action === 'lock' ? [request, { ...request, action: 'deploy' }] : [request];
}

function describe(request: AccessRequest): string {
  const verb = request.verb ?? request.action;
  const target = [request.app, request.env, request.database].filter(Boolean).join(' ');
  return target ? `${verb} ${target}` : verb;
}

/**
 * The audit log shows who ran what, SQL texts included, so it needs a role: an `audit`
 * grant where the config has one, else any role in access.roles.
 */
function auditNeedsGrant(config: Config): boolean {
  return config.access.grants.some((g) => g.actions.includes('audit'));
}

/** Whether any of these roles may do `action` somewhere (for /ops help). */
export function mayDoSomewhere(
  action: AccessRequest['action'],
  roles: ReadonlySet<string>,
  config: Config,
): boolean {
  if (action === 'audit' && !auditNeedsGrant(config)) return roles.size > 0;
  return config.access.grants.some((g) => roles.has(g.role) && g.actions.includes(action));
}

/** Throws `forbidden` or `wrong_channel`; returns the roles on success. */
export function authorize(request: AccessRequest, roles: Set<string>, channel: string, config: Config): void {
  if (request.action === 'audit' && !auditNeedsGrant(config)) {
    if (roles.size > 0) return;
    throw new DocksideError('forbidden', 'You may not read the audit log: it needs a role in dockside.', {
      hint: 'Ask a dockside admin to give you a role in access.roles of dockside.yml.',
    });
  }
  const grants = config.access.grants.filter(
    (g) => roles.has(g.role) && widen(request).some((r) => grantCovers(g, r)),
  );
  if (grants.length === 0) {
    throw new DocksideError('forbidden', `You may not ${describe(request)}.`, {
      hint: 'Ask a dockside admin to grant it in access.grants of dockside.yml; /ops help lists what you may run.',
    });
  }
  if (grants.some((g) => !g.channels || g.channels.includes(channel))) return;
  const allowed = [...new Set(grants.flatMap((g) => g.channels ?? []))].map((c) => `<#${c}>`).join(' or ');
  throw new DocksideError('wrong_channel', `You may ${describe(request)} only from ${allowed}.`, {
    hint: 'Run the command there.',
  });
}
