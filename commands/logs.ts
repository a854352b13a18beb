import { appPlatformAppId } from '../handlers/deploy/target.js';
import { compileGrep } from '../handlers/logs/grep.js';
import type { LogsKind } from '../handlers/logs/read.js';
import { readLogs } from '../handlers/logs/read.js';
import type { AppOpsClient } from '../src/do/app-ops-port.js';
import type { DoClient } from '../src/do/port.js';
import { DocksideError, usageError } from '../src/errors.js';
import { renderLogs } from '../src/render/logs.js';
import { noExtraWords, resolveEnv, tokenize, typed } from './args.js';
import type { CommandDef } from './types.js';

const USAGE =
  '/logs <app> <env> [build|deploy|run|restarted|job] [--component c] [--deployment id] [--grep re] [--lines n] [--file]';
export const DEFAULT_LINES = 40;
export const MAX_LINES = 1000;

const TYPES: Record<string, LogsKind> = {
  build: 'BUILD',
  deploy: 'DEPLOY',
  run: 'RUN',
  restarted: 'RUN_RESTARTED',
  run_restarted: 'RUN_RESTARTED',
  job: 'JOB_INVOCATION',
};
/** App Platform's component names (`app_component_base.yml`). */
const COMPONENT = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `--grep` takes one word, or a quoted pattern with spaces (Slack may send typographic quotes). */
const GREP = /(^|\s)--grep(?:=|\s+)(?:"([^"]*)"|'([^']*)'|“([^”]*)”|‘([^’]*)’|(\S+))/;

export interface LogsArgs {
  app: string;
  env: string;
  appId: string;
  type: LogsKind;
  lines: number;
  asFile: boolean;
  component?: string;
  deploymentId?: string;
  grep?: string;
}

/** Slack sends `&`, `<` and `>` of command text as HTML entities; a pattern needs the characters. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parseLogsArgs(text: string, config: Parameters<CommandDef<LogsArgs>['parse']>[1]): LogsArgs {
  const found = GREP.exec(text);
  const grep = found ? unescapeSlack(found.slice(2).find((g) => g !== undefined) ?? '') : undefined;
  const rest = found
    ? text.slice(0, found.index) + (found[1] ?? '') + text.slice(found.index + found[0].length)
    : text;
  if (found && GREP.test(rest)) throw usageError('Give `--grep` once.', USAGE);
  const { words, flags } = tokenize(rest, {
    valueFlags: ['component', 'deployment', 'lines'],
    boolFlags: ['file'],
    usage: USAGE,
  });
  noExtraWords(words, 3, USAGE);
  const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE);
  if (envConfig.droplets) {
    throw new DocksideError(
      'not_available',
      `/logs reads App Platform logs; ${app} ${env} runs on Droplets.`,
      {
        hint: `On a host: \`docker compose -p ${envConfig.droplets.project} logs --tail 100 &lt;service&gt;\`. A failed \`/deploy\` shows the last lines of the failing service; \`/health ${app} ${env}\` shows each host.`,
      },
    );
  }
  const typeWord = (words[2] ?? 'run').toLowerCase();
  const type = Object.hasOwn(TYPES, typeWord) ? TYPES[typeWord] : undefined;
  if (!type)
    throw usageError(
      `${typed(words[2] ?? '')} is not a log type: use build, deploy, run, restarted or job.`,
      USAGE,
    );
  const component = flags.get('component');
  if (typeof component === 'string' && !COMPONENT.test(component)) {
    throw usageError(`${typed(component)} is not a component name (lowercase letters, digits and -).`, USAGE);
  }
  if (type === 'JOB_INVOCATION' && typeof component !== 'string') {
    throw usageError(
      'Name the job with `--component <job>` (a PRE_DEPLOY or POST_DEPLOY job, such as a migration).',
      USAGE,
    );
  }
  const deploymentId = flags.get('deployment');
  if (typeof deploymentId === 'string' && !UUID.test(deploymentId)) {
    throw usageError(
      `${typed(deploymentId)} is not a deployment id; give the whole id, such as 3aa4d20e-5527-4c00-b496-601fbd22520a.`,
      USAGE,
    );
  }
  const linesFlag = flags.get('lines');
  const lines = typeof linesFlag === 'string' ? Number(linesFlag) : DEFAULT_LINES;
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) {
    throw usageError(`\`--lines\` takes a whole number from 1 to ${MAX_LINES}.`, USAGE);
  }
  if (grep !== undefined) compileGrep(grep, USAGE);
  return {
    app,
    env,
    appId: appPlatformAppId(app, env, envConfig),
    type,
    lines,
    asFile: flags.has('file'),
    ...(typeof component === 'string' ? { component } : {}),
    ...(typeof deploymentId === 'string' ? { deploymentId: deploymentId.toLowerCase() } : {}),
    ...(grep !== undefined ? { grep } : {}),
  };
}

export function logsCommand(deps: { do: DoClient; ops: AppOpsClient }): CommandDef<LogsArgs> {
  return {
    name: 'logs',
    usage: [USAGE],
    summary:
      'The last lines of an env’s build, deploy or runtime log, redacted (`--grep` is case-insensitive)',
    audited: true,
    parse: parseLogsArgs,
    access: (args) => ({ action: 'logs', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const result = await readLogs(deps, {
        appId: args.appId,
        app: args.app,
        env: args.env,
        type: args.type,
        lines: args.lines,
        ...(args.deploymentId ? { deploymentId: args.deploymentId } : {}),
        ...(args.component ? { component: args.component } : {}),
        ...(args.grep !== undefined
          ? { grep: { pattern: args.grep, test: compileGrep(args.grep, USAGE) } }
          : {}),
      });
      const rendered = renderLogs(
        {
          app: args.app,
          env: args.env,
          type: args.type,
          lines: args.lines,
          asFile: args.asFile,
          ...(args.component ? { component: args.component } : {}),
          ...(args.grep !== undefined ? { grep: args.grep } : {}),
        },
        result,
      );
      // From a deployment's "Full log" button: the file goes in its thread, not the channel.
      const thread = ctx.invocation.threadTs ? { threadTs: ctx.invocation.threadTs } : {};
      if (rendered.file) await ctx.slack.uploadFile(ctx.invocation.channel, { ...rendered.file, ...thread });
      else await ctx.reply.inChannel(rendered.message);
      // Counts only: log text never reaches dockside's own log or the audit entry.
      return {
        result: 'succeeded',
        detail: `${args.type} log of deployment ${result.deployment.id}: ${result.lines.length} lines shown`,
        doIds: { appId: args.appId, deploymentId: result.deployment.id },
        data: {
          type: args.type,
          lines: result.lines.length,
          scanned: result.scanned,
          file: Boolean(rendered.file),
          ...(args.component ? { component: args.component } : {}),
          ...(args.grep !== undefined ? { grep: args.grep.slice(0, 200) } : {}),
        },
      };
    },
  };
}
