import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DocksideError } from '../errors.js';
import { Config } from './schema.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

/** Every problem in a config file at once, each with the path of the bad field. */
export class ConfigError extends DocksideError {
  readonly problems: ConfigProblem[];
  constructor(source: string, problems: ConfigProblem[]) {
    const list = problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n');
    super('config_invalid', `${source} is invalid:\n${list}`, {
      hint: 'Fix the fields above and start again.',
    });
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Replaces ${VAR} in every string; a missing variable is a problem at that path. */
function interpolate(value: unknown, env: Env, path: string, problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        problems.push({ path, message: `environment variable ${name} is not set` });
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, problems)]),
    );
  }
  return value;
}

function zodPath(issue: z.core.$ZodIssue): string {
  return issue.path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

/** Checks that span fields: references between sections must point at something that exists. */
function crossCheck(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const roles = new Set(Object.keys(config.access.roles));
  config.access.grants.forEach((grant, i) => {
    if (!roles.has(grant.role)) {
      problems.push({
        path: `access.grants[${i}].role`,
        message: `role "${grant.role}" is not in access.roles`,
      });
    }
    for (const app of grant.apps ?? []) {
      if (!config.apps[app]) problems.push({ path: `access.grants[${i}].apps`, message: `no app "${app}"` });
    }
    for (const db of grant.databases ?? []) {
      if (!config.databases[db]) {
        problems.push({ path: `access.grants[${i}].databases`, message: `no database "${db}"` });
      }
    }
  });
  if (!roles.has(config.approvals.approver_role) && Object.keys(config.apps).length > 0) {
    problems.push({
      path: 'approvals.approver_role',
      message: `role "${config.approvals.approver_role}" is not in access.roles, so nobody could approve`,
    });
  }
  for (const [appName, app] of Object.entries(config.apps)) {
    if (!app.promote) continue;
    for (const side of ['from', 'to'] as const) {
      if (!app.environments[app.promote[side]]) {
        problems.push({
          path: `apps.${appName}.promote.${side}`,
          message: `environment "${app.promote[side]}" is not in apps.${appName}.environments`,
        });
      }
    }
  }
  for (const [dbName, db] of Object.entries(config.databases)) {
    if (!db.restore_target) continue;
    const target = config.databases[db.restore_target];
    if (db.restore_target === dbName) {
      problems.push({
        path: `databases.${dbName}.restore_target`,
        message: 'must not be the database itself',
      });
    } else if (!target) {
      problems.push({
        path: `databases.${dbName}.restore_target`,
        message: `no database "${db.restore_target}"`,
      });
    } else if (target.engine !== db.engine) {
      problems.push({
        path: `databases.${dbName}.restore_target`,
        message: `must be a ${db.engine} database`,
      });
    } else if (target.url === db.url) {
      problems.push({
        path: `databases.${dbName}.restore_target`,
        message: 'points at the same database URL',
      });
    }
  }
  return problems;
}

/** Pure: parses and validates config text. Throws ConfigError listing every problem. */
export function parseConfig(text: string, env: Env, source = 'dockside.yml'): Config {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? '?'}`,
        message: e.message.split('\n')[0] ?? '',
      })),
    );
  }
  const problems: ConfigProblem[] = [];
  const raw = interpolate(doc.toJS() ?? {}, env, '', problems);
  const result = Config.safeParse(raw);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => ({ path: zodPath(issue), message: issue.message })));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  const cross = crossCheck(result.data);
  if (cross.length > 0) throw new ConfigError(source, cross);
  return result.data;
}

/** Whether changes to an env need an approval (explicit flag, else by its name). */
export function needsApproval(envName: string, env: { approval?: boolean | undefined }): boolean {
  return env.approval ?? (envName === 'production' || envName === 'prod');
}
