import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';

const APP = '6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601';
const APP2 = '9a1c7e2d-4b5f-4a60-9c71-d2e3f4a5b602';

function findings(text: string, env: Record<string, string> = {}): string[] {
  return checkConfigText(text, env).problems.map(formatProblem);
}

describe('dockside config check: one pass over every kind of mistake', () => {
  it('reports ten different mistakes in one run, each with its path and a fix', () => {
    const text = `
channels: { opps: C0OPS }
apps:
  web:
    environments:
      staging: { app_id: web-staging, aproval: true }
      production: { app_id: ${APP2} }
    promote: { from: staging, to: prod }
databases:
  main: { engine: postgress, url: "\${MAIN_URL}", cluster_id: main-db }
access:
  roles: { deployer: { users: [U0ALICE] } }
  grants:
    - { role: deployer, actions: [deploy], envs: [stagin] }
    - { role: deployers, actions: [query], databases: [mian] }
schedules:
  health_summary: { cron: "0 25 * * *", timezone: Europe/Berln }
`;
    const found = findings(text);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^databases\.main\.url: uses \$\{MAIN_URL\}, which is not set/),
        expect.stringMatching(/^channels\.opps: is not a setting dockside knows; did you mean "ops"\?/),
        expect.stringMatching(/^channels\.ops: is missing\. Add it: Channel id/),
        expect.stringMatching(
          /^apps\.web\.environments\.staging\.aproval: is not a setting dockside knows; did you mean "approval"\?/,
        ),
        expect.stringMatching(
          /^databases\.main\.engine: "postgress" is not allowed; did you mean "postgres"\?/,
        ),
        expect.stringMatching(
          /^schedules\.health_summary\.cron: "0 25 \* \* \*" is not a cron expression \(invalid value for hour: 25\)/,
        ),
        expect.stringMatching(
          /^schedules\.health_summary\.timezone: "Europe\/Berln" is not a time zone; did you mean "Europe\/Berlin"\?/,
        ),
        expect.stringMatching(
          /^access\.grants\[0\]\.envs\[0\]: environment "stagin" is not in any app's environments; did you mean "staging"\?/,
        ),
        expect.stringMatching(
          /^access\.grants\[1\]\.role: role "deployers" is not in access\.roles; did you mean "deployer"\?/,
        ),
        expect.stringMatching(
          /^access\.grants\[1\]\.databases\[0\]: database "mian" is not in databases; did you mean "main"\?/,
        ),
        expect.stringMatching(
          /^apps\.web\.promote\.to: environment "prod" is not in apps\.web\.environments; did you mean "production"\?/,
        ),
        expect.stringMatching(
          /^apps\.web\.environments\.staging\.app_id: "web-staging" is not an App Platform app ID: it is a UUID/,
        ),
        expect.stringMatching(/^databases\.main\.cluster_id: "main-db" is not a database cluster ID/),
        expect.stringMatching(/^approvals\.approver_role: role "approver" is not in access\.roles/),
      ]),
    );
    // A field emptied by a missing variable is reported once, for the variable.
    expect(found.filter((f) => f.startsWith('databases.main.url'))).toHaveLength(1);
    // No raw library text.
    for (const f of found)
      expect(f).not.toMatch(/Invalid input|expected string, received|RangeError|CronPattern/);
  });

  it('names each missing variable once, with every place it is used', () => {
    const text = `
channels: { ops: C0OPS }
databases:
  main: { engine: postgres, url: "\${DB_URL}" }
  copy: { engine: postgres, url: "\${DB_URL}" }
`;
    expect(findings(text)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'databases.main.url: uses ${DB_URL}, which is not set in the environment. Set DB_URL (also used by databases.copy.url).',
    ]);
  });

  it("names what a wrong type should be instead of zod's words", () => {
    expect(findings('channels: { ops: C0OPS }\napps: [web]\n')).toEqual([
      'apps: must be a mapping (key: value lines), not a list',
    ]);
    expect(findings('channels: { ops: C0OPS }\napprovals: { required: 0, ttl_minutes: "30" }\n')).toEqual([
      'approvals.required: must be at least 1',
      'approvals.ttl_minutes: must be a number, not text',
    ]);
  });

  it('finds an env name that only exists in other apps when the grant names apps', () => {
    const text = `
channels: { ops: C0OPS }
apps:
  web: { environments: { staging: { app_id: ${APP} } } }
  erp: { environments: { qa: { app_id: ${APP2} } } }
access:
  roles: { approver: { users: [U0BOB] } }
  grants: [{ role: approver, actions: [deploy], apps: [web], envs: [qa] }]
`;
    expect(findings(text)).toEqual([
      'access.grants[0].envs[0]: environment "qa" is not in the environments of web. Known: staging.',
    ]);
  });

  it('refuses two environments pointing at the same App Platform app', () => {
    const text = `
channels: { ops: C0OPS }
apps:
  web: { environments: { staging: { app_id: ${APP} }, production: { app_id: ${APP} } } }
access: { roles: { approver: { users: [U0BOB] } } }
`;
    expect(findings(text)).toEqual([
      `apps.web.environments.production.app_id: is the same app as apps.web.environments.staging.app_id. Each environment is its own App Platform app; a deploy to one would change the other.`,
    ]);
  });

  it('checks the destination type and keys of the chosen kind', () => {
    const found = findings('channels: { ops: C0OPS }\nbackups: { destination: { type: s4, bucket: b } }\n');
    expect(found).toEqual([
      'backups.destination.type: "s4" is not allowed; did you mean "s3"? Use one of: local, s3.',
    ]);
  });

  it('accepts backup_url beside url', () => {
    const check = checkConfigText(
      'channels: { ops: C0OPS }\ndatabases:\n  main: { engine: postgres, url: "postgres://ro@h/db", backup_url: "postgres://bk@h/db" }\n',
      {},
    );
    expect(check.problems).toEqual([]);
    expect(check.config?.databases.main?.backup_url).toBe('postgres://bk@h/db');
  });
});
