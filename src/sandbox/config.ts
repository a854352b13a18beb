import { mayDoSomewhere } from '../access.js';
import { parseConfig } from '../config/load.js';
import { ACTIONS, type Config } from '../config/schema.js';
import { SANDBOX_GITHUB_TOKEN } from './do-sim/github.js';
import { DEMO_IDS } from './do-simulator.js';

/** The people of the sandbox: `as bob` switches to Bob. */
export const SANDBOX_USERS = {
  alice: 'U0ALICE',
  bob: 'U0BOB',
  carol: 'U0CAROL',
  dave: 'U0DAVE',
} as const;

export const SANDBOX_CHANNELS = { ops: 'C0OPS', dev: 'C0DEV' } as const;

export const SANDBOX_USERGROUPS: Record<string, string[]> = {
  S0LEADS: [SANDBOX_USERS.bob],
  S0DATA: [SANDBOX_USERS.carol, SANDBOX_USERS.alice],
};

/**
 * Who each person of the sandbox is, read from the config so the words never drift from
 * what the bot enforces: "alice: deployer, analyst (deploy, rollback, lock, promote, ...)".
 */
export function describePeople(config: Config): string[] {
  return Object.entries(SANDBOX_USERS).map(([name, id]) => {
    const roles = Object.entries(config.access.roles)
      .filter(
        ([, r]) => r.users.includes(id) || r.usergroups.some((g) => SANDBOX_USERGROUPS[g]?.includes(id)),
      )
      .map(([role]) => role);
    if (roles.length === 0) return `${name}: no role (may run /health and /ops help only)`;
    const actions = ACTIONS.filter((action) => mayDoSomewhere(action, new Set(roles), config));
    const approves = roles.includes(config.approvals.approver_role) ? ', approves requests' : '';
    return `${name}: ${roles.join(', ')} (${actions.join(', ')}${approves})`;
  });
}

export interface SandboxConfigOptions {
  /** Base of the demo health endpoints; each env gets `<base>/<app>-<env>`. */
  healthBaseUrl?: string;
  /** The simulator's fake GitHub (`sim.githubUrl`): adds a `github` section so /promote can move branches. */
  githubApiUrl?: string;
  /** Sets `auto_rollback: true` on the production environments. */
  autoRollback?: boolean;
  /** More apps, as YAML indented to go under `apps:` (the Droplet app, droplet-env.ts). */
  extraApps?: string;
  /** More top-level sections (e.g. `registries:`), appended as they are. */
  extraSections?: string;
  /** Adds `verify: { logs: { window } }` to web's envs: post-deploy verification with a short window. */
  verifyWindow?: string;
}

export { SANDBOX_GITHUB_TOKEN } from './do-sim/github.js';

/** dockside.yml of the sandbox world, pointing at the simulator's demo apps. */
export function sandboxConfigText(options: SandboxConfigOptions = {}): string {
  const health = (path: string) =>
    options.healthBaseUrl ? `, health_url: ${options.healthBaseUrl}${path}` : '';
  const rollback = options.autoRollback ? ', auto_rollback: true' : '';
  const verify = options.verifyWindow ? `, verify: { logs: { window: ${options.verifyWindow} } }` : '';
  const github = options.githubApiUrl
    ? `github:\n  token: ${SANDBOX_GITHUB_TOKEN}\n  api_url: ${options.githubApiUrl}\n`
    : '';
  return `
channels:
  ops: ${SANDBOX_CHANNELS.ops}
apps:
  web:
    environments:
      staging:    { app_id: ${DEMO_IDS.apps.webStaging}${health('/web-staging')}${verify} }
      production: { app_id: ${DEMO_IDS.apps.webProduction}, approval: true${rollback}${health('/web-production')}${verify} }
    promote: { from: staging, to: production }
  erp:
    environments:
      staging:    { app_id: ${DEMO_IDS.apps.erpStaging} }
      production: { app_id: ${DEMO_IDS.apps.erpProduction}, approval: true${rollback} }
    promote: { from: staging, to: production }
${options.extraApps ?? ''}access:
  roles:
    deployer: { users: [${SANDBOX_USERS.alice}] }
    approver: { usergroups: [S0LEADS] }
    analyst:  { usergroups: [S0DATA] }
  grants:
    - { role: deployer, actions: [deploy, rollback, lock, restart], envs: [staging] }
    - { role: deployer, actions: [deploy, rollback, lock, restart], envs: [production], channels: [${SANDBOX_CHANNELS.ops}, ${SANDBOX_CHANNELS.dev}] }
    - { role: deployer, actions: [promote, backup, restore, logs] }
    - { role: approver, actions: [deploy, rollback, promote, lock, backup, restore, restart, logs] }
    - { role: analyst,  actions: [query] }
approvals:
  required: 1
  ttl_minutes: 30
  self_approval: false
${github}${options.extraSections ?? ''}`;
}

export function sandboxConfig(options: SandboxConfigOptions = {}): Config {
  return parseConfig(sandboxConfigText(options), process.env, 'sandbox dockside.yml');
}
