import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { registerConnectionString, registerSecret } from '../secrets.js';
import { checkConfigText } from './load.js';
import { formatReport } from './problems.js';
import { readConfigSource } from './source.js';
import { checkStartup, formatSections } from './startup.js';

export const CONFIG_CHECK_USAGE = `dockside config check [file] [--connect]
      every problem of the config (DOCKSIDE_CONFIG_YAML, else DOCKSIDE_CONFIG, else ./dockside.yml)
      in one run; --connect also checks the environment and reaches Redis, DigitalOcean, each
      database and Slack. Exits 1 when anything is wrong.`;

/** `dockside config check [file] [--connect]`: the start-up report, without starting anything. */
export async function runConfigCheck(
  args: string[],
  io: { out: Writable; err: Writable; env: Record<string, string | undefined> },
): Promise<number> {
  let parsed: { values: { connect?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { connect: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err.write(`${err instanceof Error ? err.message : String(err)}\nUsage: ${CONFIG_CHECK_USAGE}\n`);
    return 2;
  }
  if (parsed.positionals.length > 1) {
    io.err.write(`Only one file at a time.\nUsage: ${CONFIG_CHECK_USAGE}\n`);
    return 2;
  }
  const connect = parsed.values.connect ?? false;
  const file = parsed.positionals[0];
  if (!connect) {
    const source = readConfigSource(io.env, file);
    const problems = source.problem ? [source.problem] : checkConfigText(source.text ?? '', io.env).problems;
    if (problems.length > 0) {
      io.out.write(`${formatReport(source.name, problems)}\n`);
      return 1;
    }
    io.out.write(`${source.name}: no problems found.\n`);
    return 0;
  }
  const check = checkStartup(io.env, file);
  if (!check.env || !check.config || check.sections.length > 0) {
    io.out.write(`${formatSections(check.sections)}\nFix these before connecting.\n`);
    return 1;
  }
  // Nothing below prints a secret on purpose; anything a driver quotes is scrubbed too.
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DIGITALOCEAN_TOKEN']) {
    registerSecret(io.env[name]);
  }
  registerConnectionString(check.env.REDIS_URL);
  for (const db of Object.values(check.config.databases)) {
    registerConnectionString(db.url);
    registerConnectionString(db.backup_url);
  }
  const { runConnectChecks, formatFindings } = await import('./connect/index.js');
  const findings = await runConnectChecks({ env: check.env, config: check.config });
  io.out.write(`${check.configSource}: no problems found.\n${formatFindings(findings)}\n`);
  return findings.some((f) => f.level === 'fail') ? 1 : 0;
}
