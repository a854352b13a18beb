import { describe, expect, it } from 'vitest';
import { deployCommand } from '../../commands/deploy.js';
import { logsCommand } from '../../commands/logs.js';
import { restartCommand } from '../../commands/restart.js';
import { checkEnv } from '../../handlers/health/check-env.js';
import { systemClock } from '../../src/clock.js';
import { Config } from '../../src/config/schema.js';
import type { DoClient } from '../../src/do/port.js';
import { unreachableDroplets } from '../helpers/droplets-config.js';

const droplets = unreachableDroplets;
const config = Config.parse({
  channels: { ops: 'C0123456789' },
  apps: {
    api: {
      environments: { staging: { droplets }, production: { droplets } },
      promote: { from: 'staging', to: 'production' },
    },
  },
});
// parse() never touches its dependencies; nothing may reach DigitalOcean.
const deps = {} as Parameters<typeof deployCommand>[0] & Parameters<typeof restartCommand>[0];

describe('Slack commands on a Droplet env', () => {
  it('/deploy takes a Droplet env with an optional tag and refuses App Platform-only flags', () => {
    expect(deployCommand(deps).parse('api staging', config)).toEqual({
      target: 'droplets',
      app: 'api',
      env: 'staging',
      tag: 'latest',
      approval: false,
    });
    expect(deployCommand(deps).parse('api production v1.4.2', config)).toMatchObject({
      target: 'droplets',
      tag: 'v1.4.2',
      approval: true,
    });
    expect(() => deployCommand(deps).parse('api staging --force-build', config)).toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringContaining('--force-build') }),
    );
    expect(() => deployCommand(deps).parse('api staging <!channel>', config)).toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringContaining('&lt;!channel&gt;') }),
    );
  });

  it('/restart and /logs say they drive App Platform only, and what to do on the hosts instead', () => {
    expect(() => restartCommand(deps).parse('api staging', config)).toThrow(
      expect.objectContaining({
        code: 'not_available',
        message: '/restart drives App Platform only; api staging runs on Droplets.',
        hint: expect.stringContaining('`docker compose -p vulcan restart`'),
      }),
    );
    expect(() => logsCommand(deps).parse('api staging run', config)).toThrow(
      expect.objectContaining({
        code: 'not_available',
        message: '/logs reads App Platform logs; api staging runs on Droplets.',
        hint: expect.stringContaining('`docker compose -p vulcan logs --tail 100 &lt;service&gt;`'),
      }),
    );
  });

  it('health skips the App Platform checks for a Droplet env', async () => {
    const unused = new Proxy({} as DoClient, {
      get: () => () => Promise.reject(new Error('no DigitalOcean call expected')),
    });
    const health = await checkEnv(
      { config, do: unused, clock: systemClock, fetch },
      { app: 'api', env: 'staging', config: config.apps.api!.environments.staging! },
    );
    expect(health.checks.map((c) => c.name)).not.toContain('deploy');
  });
});
