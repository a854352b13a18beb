import { describe, expect, it } from 'vitest';
import { verifyPlans } from '../../handlers/deploy/verify/settings.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const base = (verify: string) => `
channels: { ops: C0123456789 }
apps:
  web:
    environments:
      production:
        app_id: 9a1c7e2d-4b5f-4a60-9c71-d2e3f4a5b602
        health_url: https://example.com/health
${verify}
access: { roles: { deployer: { users: [U0ALICE] }, approver: { users: [U0BOB] } }, grants: [{ role: deployer, actions: [deploy] }] }
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('verify: in dockside.yml', () => {
  it('reads health URLs with status and JSON fields, a log window and its defaults', () => {
    const config = parseConfig(
      base(`        verify:
          health:
            - { url: https://example.com/health, status: 200 }
            - { url: https://example.com/status, json: { db: ok, "checks.redis": ok } }
          logs: { window: 90s }`),
      {},
    );
    expect(verifyPlans(config)('web', 'production')).toEqual({
      health: [
        { url: 'https://example.com/health', status: 200 },
        { url: 'https://example.com/status', json: { db: 'ok', 'checks.redis': 'ok' } },
      ],
      logs: { windowMs: 90_000, pattern: 'error|exception|panic|fatal', allowedLines: 3, factor: 2 },
      jobs: true,
    });
    expect(verifyPlans(config)('web', 'staging')).toBeUndefined();
  });

  it('defaults the window to 5 minutes; without verify: nothing but health_url', () => {
    const config = parseConfig(base('        verify: { logs: {} }'), {});
    expect(verifyPlans(config)('web', 'production')?.logs?.windowMs).toBe(300_000);
    expect(verifyPlans(parseConfig(base(''), {}))('web', 'production')).toBeUndefined();
  });

  it('names each bad field: window, status, a typo', () => {
    expect(
      problems(
        base(`        verify:
          health: [{ url: ftp://x/health, status: 99 }]
          logs: { window: 2h, paterns: error }`),
      ),
    ).toEqual([
      'apps.web.environments.production.verify.health[0].url: must be an http(s) URL',
      'apps.web.environments.production.verify.health[0].status: must be at least 100',
      'apps.web.environments.production.verify.logs.window: a duration such as 90s or 5m',
      'apps.web.environments.production.verify.logs.paterns: is not a setting dockside knows; did you mean "pattern"?',
    ]);
    expect(problems(base('        verify: { logs: { window: 45m } }'))).toEqual([
      'apps.web.environments.production.verify.logs.window: between 1s and 30m',
    ]);
  });

  it('refuses verify on a Droplet env, saying what checks those', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----';
    const text = base('').replace(
      '        app_id: 9a1c7e2d-4b5f-4a60-9c71-d2e3f4a5b602\n',
      `        droplets:
          hosts: [10.0.0.5]
          user: deploy
          ssh_key: "${key.replace(/\n/g, '\\n')}"
          host_keys: ["10.0.0.5 ssh-ed25519 AAAAC3Nza1"]
          compose_file: /opt/app/docker-compose.yml
          project: app
          release_file: /opt/app/release.env
          services: { backend: { image: ghcr.io/acme/backend, variable: BACKEND_IMAGE } }
          host_health: { service: backend, url: "http://127.0.0.1:8000/health" }
        verify: { logs: { window: 1m } }
`,
    );
    expect(problems(text)).toContain(
      'apps.web.environments.production.verify: verify works for App Platform envs (app_id) only; a Droplet env checks host_health on each host as it rolls out',
    );
  });
});
