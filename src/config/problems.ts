import { DocksideError } from '../errors.js';

/** One thing wrong with the config or the environment, with the field it is about. */
export interface ConfigProblem {
  /** `apps.web.environments.production.app_id`, `SLACK_BOT_TOKEN`, `line 3`; empty for the whole file. */
  path: string;
  /** What is wrong, in words. Never contains a secret value. */
  message: string;
  /** What to do about it, when there is something specific to say. */
  hint?: string;
}

export function formatProblem(p: ConfigProblem): string {
  const stop = /[.?!]$/.test(p.message) ? ' ' : '. ';
  return `${p.path || '(file)'}: ${p.message}${p.hint ? `${stop}${p.hint}` : ''}`;
}

/** The report start-up and `dockside config check` print: every problem, one per line. */
export function formatReport(source: string, problems: readonly ConfigProblem[]): string {
  const n = problems.length;
  const head = `${source}: ${n} problem${n === 1 ? '' : 's'}`;
  return [head, ...problems.map((p) => `  - ${formatProblem(p)}`)].join('\n');
}

/** Every problem in a config file (or the environment) at once, each with the path of the bad field. */
export class ConfigError extends DocksideError {
  readonly problems: ConfigProblem[];
  readonly source: string;
  constructor(source: string, problems: ConfigProblem[]) {
    super('config_invalid', formatReport(source, problems), {
      hint: 'Fix the fields above and start again.',
    });
    this.problems = problems;
    this.source = source;
  }
}
