import { mayDoSomewhere } from '../src/access.js';
import type { Config } from '../src/config/schema.js';
import { escapeText, plural } from '../src/render/format.js';
import type { RegisteredCommand } from './registry.js';

function mayUse(command: RegisteredCommand, config: Config, roles: ReadonlySet<string>): boolean {
  if (command.actions.length === 0) return true;
  return command.actions.some((a) => mayDoSomewhere(a, roles, config));
}

/** `/ops help`: usage of the commands this caller may run; `/deploy help`: that one only. */
export function helpText(
  commands: ReadonlyMap<string, RegisteredCommand>,
  config: Config,
  roles: ReadonlySet<string>,
  _channel: string,
  only: string,
): string {
  const one = commands.get(only);
  if (one) return [`*${one.summary}*`, ...one.usage.map((u) => `\`${escapeText(u, 'code')}\``)].join('\n');
  const usable = [...commands.values()].filter((c) => mayUse(c, config, roles));
  const lines = usable.flatMap((c) => [
    `*${c.summary}*`,
    ...c.usage.map((u) => `  \`${escapeText(u, 'code')}\``),
  ]);
  const hidden = commands.size - usable.length;
  return [
    '*dockside commands you may run* (each also works as `/ops <command> ...`):',
    ...lines,
    hidden > 0
      ? `_${plural(hidden, 'more command needs', 'more commands need')} a role you do not hold; ask a dockside admin if you need ${hidden === 1 ? 'it' : 'them'}._`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}
