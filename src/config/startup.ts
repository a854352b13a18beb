import { type BotEnv, type Env, parseEnv, requireBotEnv } from '../env.js';
import { checkConfigText } from './load.js';
import { ConfigError, type ConfigProblem, formatReport } from './problems.js';
import type { Config } from './schema.js';
import { readConfigSource } from './source.js';

export interface StartupCheck {
  env?: BotEnv;
  config?: Config;
  /** Where the config came from, for messages. */
  configSource: string;
  /** One section per source (the environment, the config), only those with problems. */
  sections: Array<{ source: string; problems: ConfigProblem[] }>;
}

/**
 * Everything the bot needs before it starts, checked in one pass: the environment
 * (tokens, the Slack mode, template values in production) and the whole config.
 * `dockside config check` prints the same report.
 */
export function checkStartup(raw: Record<string, string | undefined>, file?: string): StartupCheck {
  const sections: StartupCheck['sections'] = [];
  let env: Env | undefined;
  const envProblems: ConfigProblem[] = [];
  try {
    env = parseEnv(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    envProblems.push(...err.problems);
  }
  const source = readConfigSource(raw, file);
  const configCheck =
    source.text !== undefined ? checkConfigText(source.text, raw) : { problems: [], variables: [] };
  let botEnv: BotEnv | undefined;
  try {
    // On the raw environment when it did not parse, so missing settings are named too.
    botEnv = requireBotEnv(env ?? (raw as unknown as Env), raw, configCheck.variables);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    envProblems.push(...err.problems);
  }
  if (envProblems.length > 0) sections.push({ source: 'The environment', problems: envProblems });
  const configProblems = source.problem ? [source.problem] : configCheck.problems;
  if (configProblems.length > 0) sections.push({ source: source.name, problems: configProblems });
  return {
    ...(env && botEnv && envProblems.length === 0 ? { env: botEnv } : {}),
    ...('config' in configCheck && configCheck.config ? { config: configCheck.config } : {}),
    configSource: source.name,
    sections,
  };
}

export function formatSections(sections: StartupCheck['sections']): string {
  return sections.map((s) => formatReport(s.source, s.problems)).join('\n');
}
