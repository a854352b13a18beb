import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, needsApproval, parseConfig } from '../../src/config/load.js';
import { Config } from '../../src/config/schema.js';

const example = readFileSync(new URL('../../dockside.example.yml', import.meta.url), 'utf8');
const exampleEnv = {
  MAIN_PG_READONLY_URL: 'postgres://ro:pw@db:25060/defaultdb?sslmode=require',
  MAIN_PG_BACKUP_URL: 'postgres://backup:pw@db:25060/defaultdb?sslmode=require',
  SCRATCH_PG_URL: 'postgres://rw:pw@db:25060/scratch?sslmode=require',
  GITHUB_TOKEN: 'ghp_example',
};

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('dockside.yml', () => {
  it('accepts the shipped example and fills in defaults', () => {
    const config = parseConfig(example, exampleEnv);
    expect(config.apps.web?.environments.production?.auto_rollback).toBe(true);
    expect(config.databases.main?.url).toBe(exampleEnv.MAIN_PG_READONLY_URL);
    expect(config.databases.scratch?.max_rows).toBe(200);
    expect(config.approvals.ttl_minutes).toBe(30);
  });

  it('names every missing environment variable once, with its field path', () => {
    expect(problems(example, { GITHUB_TOKEN: 'x' })).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'databases.main.url: uses ${MAIN_PG_READONLY_URL}, which is not set in the environment',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'databases.main.backup_url: uses ${MAIN_PG_BACKUP_URL}, which is not set in the environment',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'databases.scratch.url: uses ${SCRATCH_PG_URL}, which is not set in the environment',
    ]);
  });

  it('reports every bad field at once, each with its path', () => {
    const text = `
channels: { ops: general }
apps:
  web:
    environments:
      production: { app_id: abc, aproval: true, health_url: not-a-url }
databases:
  main: { engine: oracle, url: "postgres://x", max_rows: 0 }
`;
    const found = problems(text);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^channels\.ops: is "general"; it must be a Slack channel id such as C0123456789/,
        ),
        'apps.web.environments.production.health_url: is "not-a-url"; it must be an http(s) URL',
        'apps.web.environments.production.aproval: is not a setting dockside knows; did you mean "approval"?',
        'databases.main.engine: "oracle" is not allowed',
        'databases.main.max_rows: must be at least 1',
        expect.stringMatching(
          /^apps\.web\.environments\.production\.app_id: "abc" is not an App Platform app ID/,
        ),
      ]),
    );
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  it('checks references between sections', () => {
    const text = `
channels: { ops: C0OPS }
apps:
  web:
    environments: { staging: { app_id: 6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601 } }
    promote: { from: staging, to: production }
access:
  roles: { approver: { users: [U0BOB] } }
  grants: [{ role: deployer, actions: [deploy] }]
databases:
  main: { engine: postgres, url: "postgres://h/db", restore_target: main }
`;
    expect(problems(text)).toEqual([
      'access.grants[0].role: role "deployer" is not in access.roles',
      'apps.web.promote.to: environment "production" is not in apps.web.environments',
      'databases.main.restore_target: must not be the database itself',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('channels:\n  ops: [C0OPS\n')[0]).toMatch(/^line \d+: /);
  });

  it('treats production and prod as needing approval unless said otherwise', () => {
    expect(needsApproval('production', {})).toBe(true);
    expect(needsApproval('prod', {})).toBe(true);
    expect(needsApproval('staging', {})).toBe(false);
    expect(needsApproval('production', { approval: false })).toBe(false);
    expect(needsApproval('live', { approval: true })).toBe(true);
  });

  it('ships a JSON Schema that matches the zod schema (run `npm run schema` after changing it)', () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../../schema/dockside.schema.json', import.meta.url), 'utf8'),
    );
    const current = {
      title: 'dockside.yml',
      ...z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' }),
    };
    expect(shipped).toEqual(JSON.parse(JSON.stringify(current)));
  });
});

describe('README', () => {
  it('shows the shipped example config, unchanged', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(example);
  });
});
