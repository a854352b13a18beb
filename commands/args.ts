import type { AppConfig, Config, EnvConfig } from '../src/config/schema.js';
import { DocksideError, usageError } from '../src/errors.js';
import { own } from '../src/own.js';
import { escapeText } from '../src/render/format.js';

/** Splits command text into words and `--flags` (with optional values for known flags). */
export function tokenize(
  text: string,
  options: { valueFlags?: readonly string[]; boolFlags?: readonly string[]; usage: string },
): { words: string[]; flags: Map<string, string | true> } {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  const parts = text.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (!part.startsWith('--')) {
      words.push(part);
      continue;
    }
    const name = part.slice(2);
    if (options.boolFlags?.includes(name)) {
      flags.set(name, true);
    } else if (options.valueFlags?.includes(name)) {
      const value = parts[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw usageError(`\`--${name}\` needs a value.`, options.usage);
      flags.set(name, value);
      i++;
    } else {
      throw usageError(`Unknown option ${typed(part)}.`, options.usage);
    }
  }
  return { words, flags };
}

/** What a person typed, shown back in a code span: it may hold `<!channel>` or a backtick. */
export function typed(word: string): string {
  return `\`${escapeText(word, 'code')}\``;
}

function list(names: string[]): string {
  return names.length > 0 ? names.map((n) => `\`${n}\``).join(', ') : '(none configured)';
}

export function resolveApp(config: Config, name: string | undefined, usage: string): [string, AppConfig] {
  if (!name) throw usageError('Which app?', usage);
  const app = own(config.apps, name);
  if (!app) {
    throw new DocksideError('unknown_app', `There is no app ${typed(name)} in dockside.yml.`, {
      hint: `Apps: ${list(Object.keys(config.apps))}.`,
    });
  }
  return [name, app];
}

export function resolveEnv(
  config: Config,
  appName: string | undefined,
  envName: string | undefined,
  usage: string,
): { app: string; env: string; envConfig: EnvConfig } {
  const [app, appConfig] = resolveApp(config, appName, usage);
  if (!envName)
    throw usageError(
      `Which environment of \`${app}\`? (${list(Object.keys(appConfig.environments))})`,
      usage,
    );
  const envConfig = own(appConfig.environments, envName);
  if (!envConfig) {
    throw new DocksideError('unknown_env', `App \`${app}\` has no environment ${typed(envName)}.`, {
      hint: `Environments: ${list(Object.keys(appConfig.environments))}.`,
    });
  }
  return { app, env: envName, envConfig };
}

export function resolveDatabase(
  databases: Config['databases'] | Record<string, unknown>,
  name: string | undefined,
  usage: string,
): string {
  if (!name) throw usageError('Which database?', usage);
  if (!own<unknown>(databases, name)) {
    throw new DocksideError('unknown_db', `There is no database ${typed(name)} in dockside.yml.`, {
      hint: `Databases: ${list(Object.keys(databases))}.`,
    });
  }
  return name;
}

export function noExtraWords(words: string[], expected: number, usage: string): void {
  if (words.length > expected) {
    throw usageError(`Unexpected ${typed(words.slice(expected).join(' '))}.`, usage);
  }
}
