import { parseDocument } from 'yaml';
import { describeIssue, pathText } from './issues.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import { checkReferences } from './references.js';
import { Config } from './schema.js';

export { ConfigError, type ConfigProblem, formatProblem, formatReport } from './problems.js';

type Env = Record<string, string | undefined>;

interface Interpolated {
  value: unknown;
  /** Variable name -> the paths that use it, for variables that are not set. */
  missing: Map<string, string[]>;
  used: Set<string>;
  /** Paths whose value came (partly) from the environment: never echoed, they may be secrets. */
  fromEnv: Set<string>;
}

/** Replaces ${VAR} in every string. A missing variable is remembered, not reported per use. */
function interpolate(doc: unknown, env: Env): Interpolated {
  const missing = new Map<string, string[]>();
  const used = new Set<string>();
  const fromEnv = new Set<string>();
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
        used.add(name);
        fromEnv.add(path);
        const v = env[name];
        if (v === undefined || v === '') {
          missing.set(name, [...(missing.get(name) ?? []), path]);
          return '';
        }
        return v;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]),
      );
    }
    return value;
  };
  return { value: walk(doc, ''), missing, used, fromEnv };
}

export interface ConfigCheck {
  /** Set only when there is no problem at all. */
  config?: Config;
  problems: ConfigProblem[];
  /** The environment variables the text uses as ${VAR}. */
  variables: string[];
}

/**
 * Pure: every problem of a config text in one pass (YAML syntax, missing variables,
 * fields, cross-references), each with its path and, where possible, the fix.
 */
export function checkConfigText(text: string, env: Env): ConfigCheck {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      variables: [],
      problems: doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? '?'}`,
        message: `not valid YAML: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    };
  }
  const { value, missing, used, fromEnv } = interpolate(doc.toJS() ?? {}, env);
  const problems: ConfigProblem[] = [];
  for (const [name, paths] of missing) {
    problems.push({
      path: paths[0] ?? '',
      message: `uses \${${name}}, which is not set in the environment`,
      hint: `Set ${name}${paths.length > 1 ? ` (also used by ${paths.slice(1).join(', ')})` : ''}.`,
    });
  }
  // A field emptied by a missing variable is already reported above.
  const emptied = new Set([...missing.values()].flat());
  const result = Config.safeParse(value, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = pathText(issue.path);
      if (emptied.has(path)) continue;
      problems.push(...describeIssue(issue, value, !fromEnv.has(path)));
    }
  }
  problems.push(...checkReferences(value));
  const variables = [...used];
  if (problems.length > 0 || !result.success) return { problems, variables };
  return { config: result.data, problems, variables };
}

/** Pure: parses and validates config text. Throws ConfigError listing every problem. */
export function parseConfig(text: string, env: Env, source = 'dockside.yml'): Config {
  const { config, problems } = checkConfigText(text, env);
  if (!config) throw new ConfigError(source, problems);
  return config;
}

/** Whether changes to an env need an approval (explicit flag, else by its name). */
export function needsApproval(envName: string, env: { approval?: boolean | undefined }): boolean {
  return env.approval ?? isProductionName(envName);
}

/** What the config calls production when a setting does not say (approval, announce defaults). */
export function isProductionName(envName: string): boolean {
  return envName === 'production' || envName === 'prod';
}
