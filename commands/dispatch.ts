import { authorize, rolesOf } from '../src/access.js';
import type { AuditEntryInput, AuditLog } from '../src/audit/types.js';
import type { Config } from '../src/config/schema.js';
import { DocksideError, isDocksideError, isRefusal } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { Reply, SlackPoster } from '../src/slack/reply.js';
import type { UsergroupDirectory } from '../src/slack/usergroups.js';
import { toUserMessage } from '../src/user-message.js';
import { typed } from './args.js';
import { helpText } from './help.js';
import type { RegisteredCommand } from './registry.js';
import type { Invocation } from './types.js';

export interface DispatchDeps {
  config: Config;
  commands: ReadonlyMap<string, RegisteredCommand>;
  audit: AuditLog;
  groups: UsergroupDirectory;
  slack: SlackPoster;
  metrics: Metrics;
  log: Logger;
}

/** `/deploy web staging` or `/ops deploy web staging` -> the command and its text. */
export function resolveCommand(
  slashCommand: string,
  text: string,
  commands: ReadonlyMap<string, RegisteredCommand>,
): { name: string; text: string; commandText: string } {
  const slash = slashCommand.replace(/^\//, '');
  if (slash !== 'ops') return { name: slash, text, commandText: `/${slash}` };
  const [first = 'help', ...rest] = text.trim().split(/\s+/);
  const name = first || 'help';
  if (name !== 'help' && !commands.has(name)) {
    throw new DocksideError('unknown_command', `${typed(name)} is not a dockside command.`, {
      hint: '`/ops help` lists the commands you may run.',
    });
  }
  return { name, text: rest.join(' '), commandText: `/ops ${name}` };
}

/**
 * Runs one slash command after it was acknowledged: parse, authorize, audit, run,
 * audit the outcome. Every failure ends as one message to the caller.
 */
export async function dispatch(
  deps: DispatchDeps,
  invocation: Invocation,
  slashCommand: string,
  reply: Reply,
) {
  const log = deps.log.child({ requestId: invocation.requestId, user: invocation.user });
  let commandName = slashCommand;
  let fullText = `${slashCommand} ${invocation.text}`.trim();
  try {
    const resolved = resolveCommand(slashCommand, invocation.text, deps.commands);
    commandName = resolved.name;
    fullText = `${resolved.commandText} ${resolved.text}`.trim();
    if (resolved.name === 'help' || resolved.text.trim() === 'help') {
      const roles = await rolesOf(invocation.user, deps.config, deps.groups);
      await reply.ephemeral({
        text: helpText(deps.commands, deps.config, roles, invocation.channel, resolved.name),
      });
      deps.metrics.commands.inc({ command: resolved.name, outcome: 'help' });
      return;
    }
    const command = deps.commands.get(resolved.name);
    if (!command) {
      throw new DocksideError('unknown_command', `\`/${resolved.name}\` is not a dockside command.`, {
        hint: '`/ops help` lists the commands you may run.',
      });
    }
    const prepared = command.prepare(resolved.text, deps.config);
    const record = (entry: Pick<AuditEntryInput, 'result'> & Partial<AuditEntryInput>) =>
      deps.audit.append({
        actor: invocation.user,
        channel: invocation.channel,
        command: fullText,
        action: command.name,
        ...prepared.target,
        ...entry,
      });
    if (prepared.access) {
      const roles = await rolesOf(invocation.user, deps.config, deps.groups);
      try {
        authorize(prepared.access, roles, invocation.channel, deps.config);
      } catch (err) {
        await record({ result: 'refused', detail: isDocksideError(err) ? err.message : 'refused' }).catch(
          (auditErr: unknown) => log.warn({ err: auditErr }, 'could not audit a refused command'),
        );
        throw err;
      }
    }
    const started = Date.now();
    // No audit, no action: if this throws, nothing below runs.
    const entry = command.audited ? await record({ result: 'started' }) : undefined;
    const ctx = {
      invocation: { ...invocation, commandText: resolved.commandText },
      config: deps.config,
      reply,
      slack: deps.slack,
      log: log.child({ command: command.name }),
      auditId: entry?.id ?? '',
    };
    let outcome: Awaited<ReturnType<typeof prepared.run>>;
    try {
      outcome = await prepared.run(ctx);
    } catch (err) {
      if (entry) {
        await record({
          result: isRefusal(err) ? 'refused' : 'failed',
          detail: isDocksideError(err) ? `${err.code}: ${err.message}` : 'internal error',
          durationMs: Date.now() - started,
          ref: entry.id,
        }).catch((auditErr: unknown) => log.error({ err: auditErr }, 'could not audit a failed command'));
      }
      throw err;
    }
    deps.metrics.commands.inc({ command: command.name, outcome: outcome?.result ?? 'succeeded' });
    if (entry && outcome) {
      await record({
        result: outcome.result,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
        ...(outcome.doIds ? { doIds: outcome.doIds } : {}),
        ...(outcome.data ? { data: outcome.data } : {}),
        durationMs: Date.now() - started,
        ref: entry.id,
      }).catch(async (err: unknown) => {
        log.error({ err }, 'could not audit an outcome');
        await reply.ephemeral({
          text: 'Done, but its outcome could not be written to the audit log (Redis).',
        });
      });
    }
  } catch (err) {
    const code = isDocksideError(err) ? err.code : 'internal';
    deps.metrics.commands.inc({ command: commandName, outcome: code });
    await reply
      .ephemeral({ text: toUserMessage(err, log, { command: fullText }) })
      .catch((replyErr: unknown) => log.error({ err: replyErr }, 'could not answer the user'));
  }
}
