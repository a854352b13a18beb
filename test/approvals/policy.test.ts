import { describe, expect, it } from 'vitest';
import { mayApprove, requiredApprovals } from '../../approvals/policy.js';
import { Config } from '../../src/config/schema.js';

const config = (over: { self_approval?: boolean; required?: number } = {}) =>
  Config.parse({
    channels: { ops: 'C0123456789' },
    apps: {
      web: {
        approvals_required: 2,
        environments: {
          staging: { app_id: 'a1' },
          production: { app_id: 'a2', approvals_required: 3 },
        },
      },
      erp: { environments: { production: { app_id: 'b2' } } },
    },
    access: { roles: { leads: { users: ['U0LEAD'] } } },
    approvals: {
      required: over.required ?? 1,
      self_approval: over.self_approval ?? false,
      approver_role: 'leads',
    },
  });

describe('requiredApprovals', () => {
  it('takes the env setting over the app setting over the global one', () => {
    const c = config();
    expect(requiredApprovals(c, 'web', 'production')).toBe(3);
    expect(requiredApprovals(c, 'web', 'staging')).toBe(2);
    expect(requiredApprovals(c, 'erp', 'production')).toBe(1);
    expect(requiredApprovals(config({ required: 2 }), 'erp', 'production')).toBe(2);
  });

  it('falls back to the global number for what is not in the file (a database restore)', () => {
    expect(requiredApprovals(config({ required: 2 }))).toBe(2);
    expect(requiredApprovals(config(), 'unknown', 'production')).toBe(1);
  });
});

describe('mayApprove', () => {
  const deploy = { kind: 'deploy' as const, requester: 'U0ALICE' };

  it('lets an approver who did not ask approve', () => {
    expect(
      mayApprove({ request: deploy, user: 'U0LEAD', userRoles: new Set(['leads']), config: config() }),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses the requester, even one who holds the approver role', () => {
    const result = mayApprove({
      request: deploy,
      user: 'U0ALICE',
      userRoles: new Set(['leads']),
      config: config(),
    });
    expect(result).toEqual({
      ok: false,
      reason: 'You asked for this deploy, so someone else must approve it.',
    });
    const promote = mayApprove({
      request: { kind: 'promote', requester: 'U0ALICE' },
      user: 'U0ALICE',
      userRoles: new Set(['leads']),
      config: config(),
    });
    expect(promote).toEqual({
      ok: false,
      reason: 'You asked for this promotion, so someone else must approve it.',
    });
  });

  it('lets the requester approve only when self approval is switched on, and still needs the role', () => {
    const on = config({ self_approval: true });
    expect(
      mayApprove({ request: deploy, user: 'U0ALICE', userRoles: new Set(['leads']), config: on }).ok,
    ).toBe(true);
    expect(mayApprove({ request: deploy, user: 'U0ALICE', userRoles: new Set(), config: on }).ok).toBe(false);
  });

  it('refuses someone without the approver role, naming the role', () => {
    const result = mayApprove({
      request: deploy,
      user: 'U0BOB',
      userRoles: new Set(['deployer', 'approver']),
      config: config(),
    });
    expect(result).toEqual({
      ok: false,
      reason: 'Only members of the "leads" role can approve a deploy; ask one of them to review it.',
    });
  });
});
