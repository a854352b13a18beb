import { z } from 'zod';
import { channelId, name, usergroupId, userId } from './schema-fields.js';

/** The `access` section of dockside.yml: roles (people) and grants (what a role may do, where). */

/** `audit`: reading /audit. Without any grant of it, every role in access.roles may read the log. */
export const ACTIONS = [
  'deploy',
  'promote',
  'rollback',
  'query',
  'backup',
  'restore',
  'lock',
  'audit',
  'logs',
  'restart',
] as const;
export const Action = z.enum(ACTIONS);
export type Action = z.infer<typeof Action>;

export const RoleConfig = z
  .strictObject({
    usergroups: z
      .array(usergroupId)
      .default([])
      .describe('Slack user group ids (S...) whose members have the role; needs a paid Slack plan.'),
    users: z.array(userId).default([]).describe('Slack user ids (U...) that have the role.'),
  })
  .describe('One role: the people in any of its user groups or users.');
export type RoleConfig = z.infer<typeof RoleConfig>;

export const Grant = z
  .strictObject({
    role: name.describe('A role from access.roles.'),
    actions: z
      .array(Action)
      .min(1)
      .describe(
        `What the role may do: ${ACTIONS.join(', ')}. Without any \`audit\` grant, every role may read /audit.`,
      ),
    apps: z.array(name).optional().describe('Only these apps (default: every app).'),
    envs: z.array(name).optional().describe('Only envs with these names (default: every env).'),
    databases: z.array(name).optional().describe('Only these databases (default: every database).'),
    channels: z
      .array(channelId)
      .optional()
      .describe('Only when run in these channels (default: any channel).'),
  })
  .describe(
    'One grant: a role may run these actions, limited to the apps, envs, databases and channels given.',
  );
export type Grant = z.infer<typeof Grant>;
