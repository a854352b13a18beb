import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
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

/** dockside.yml of the sandbox world, pointing at the simulator's demo apps. */
export function sandboxConfigText(options: { healthBaseUrl?: string } = {}): string {
  const health = (path: string) =>
    options.healthBaseUrl ? `, health_url: ${options.healthBaseUrl}${path}` : '';
  return `
channels:
  ops: ${SANDBOX_CHANNELS.ops}
apps:
  web:
    environments:
      staging:    { app_id: ${DEMO_IDS.apps.webStaging}${health('/web-staging')} }
      production: { app_id: ${DEMO_IDS.apps.webProduction}, approval: true${health('/web-production')} }
    promote: { from: staging, to: production }
  erp:
    environments:
      staging:    { app_id: ${DEMO_IDS.apps.erpStaging} }
      production: { app_id: ${DEMO_IDS.apps.erpProduction}, approval: true }
    promote: { from: staging, to: production }
access:
  roles:
    deployer: { users: [${SANDBOX_USERS.alice}] }
    approver: { usergroups: [S0LEADS] }
    analyst:  { usergroups: [S0DATA] }
  grants:
    - { role: deployer, actions: [deploy, rollback, lock], envs: [staging] }
    - { role: deployer, actions: [deploy, rollback, lock], envs: [production], channels: [${SANDBOX_CHANNELS.ops}, ${SANDBOX_CHANNELS.dev}] }
    - { role: deployer, actions: [promote, backup] }
    - { role: approver, actions: [deploy, rollback, promote, lock, backup, restore] }
    - { role: analyst,  actions: [query] }
approvals:
  required: 1
  ttl_minutes: 30
  self_approval: false
`;
}

export function sandboxConfig(options: { healthBaseUrl?: string } = {}): Config {
  return parseConfig(sandboxConfigText(options), process.env, 'sandbox dockside.yml');
}
