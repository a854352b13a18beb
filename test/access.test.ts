import { describe, expect, it } from 'vitest';
import { authorize, rolesOf } from '../src/access.js';
import { isDocksideError } from '../src/errors.js';
import { sandboxConfig } from '../src/sandbox/config.js';

const config = sandboxConfig();
const directory = (groups: Record<string, string[]>) => ({
  members: async (id: string) => new Set(groups[id] ?? []),
});

function refusal(fn: () => void): { code: string; text: string } {
  try {
    fn();
  } catch (err) {
    if (isDocksideError(err)) return { code: err.code, text: `${err.message} ${err.hint ?? ''}`.trim() };
    throw err;
  }
  return { code: 'allowed', text: '' };
}

describe('access', () => {
  it('finds roles from user lists and from Slack user groups', async () => {
    expect([...(await rolesOf('U0ALICE', config, directory({})))]).toEqual(['deployer']);
    expect([...(await rolesOf('U0BOB', config, directory({ S0LEADS: ['U0BOB'] })))]).toEqual(['approver']);
    expect([...(await rolesOf('U0DAVE', config, directory({ S0LEADS: ['U0BOB'] })))]).toEqual([]);
  });

  it('allows what a grant covers, for its envs only', () => {
    const roles = new Set(['deployer']);
    expect(
      refusal(() => authorize({ action: 'deploy', app: 'web', env: 'staging' }, roles, 'C0ANY', config)).code,
    ).toBe('allowed');
    expect(refusal(() => authorize({ action: 'query', database: 'main' }, roles, 'C0ANY', config))).toEqual({
      code: 'forbidden',
      text: 'You may not query main. Ask a dockside admin to grant it in access.grants of dockside.yml; /ops help lists what you may run.',
    });
  });

  it('lets any role read /audit, or only the roles of an `audit` grant when the config has one', () => {
    const audit = (roles: string[], c = config) =>
      refusal(() => authorize({ action: 'audit' }, new Set(roles), 'C0ANY', c)).code;
    expect(audit(['analyst'])).toBe('allowed');
    expect(audit([])).toBe('forbidden');
    const strict = {
      ...config,
      access: {
        ...config.access,
        grants: [...config.access.grants, { role: 'approver', actions: ['audit' as const] }],
      },
    };
    expect(audit(['approver'], strict)).toBe('allowed');
    expect(audit(['analyst'], strict)).toBe('forbidden');
  });

  it('refuses a production command from another channel, naming the channels to use', () => {
    const roles = new Set(['deployer']);
    expect(
      refusal(() =>
        authorize({ action: 'deploy', app: 'web', env: 'production' }, roles, 'C0RANDOM', config),
      ),
    ).toEqual({
      code: 'wrong_channel',
      text: 'You may deploy web production only from <#C0OPS> or <#C0DEV>. Run the command there.',
    });
    expect(
      refusal(() => authorize({ action: 'deploy', app: 'web', env: 'production' }, roles, 'C0OPS', config))
        .code,
    ).toBe('allowed');
  });

  it('lets whoever may deploy an env also lock it', () => {
    const narrow = sandboxConfig();
    narrow.access.grants = [{ role: 'deployer', actions: ['deploy'], envs: ['staging'] }];
    const roles = new Set(['deployer']);
    expect(
      refusal(() => authorize({ action: 'lock', app: 'web', env: 'staging' }, roles, 'C0ANY', narrow)).code,
    ).toBe('allowed');
    expect(
      refusal(() => authorize({ action: 'lock', app: 'web', env: 'production' }, roles, 'C0ANY', narrow))
        .code,
    ).toBe('forbidden');
  });
});
