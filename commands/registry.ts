import type { Action, Config } from '../src/config/schema.js';
import type {
  AccessRequest,
  CommandContext,
  CommandDef,
  CommandName,
  CommandOutcome,
  Target,
} from './types.js';

/** A command with its argument type closed over, so commands of different types share one table. */
export interface RegisteredCommand {
  name: CommandName;
  usage: string[];
  summary: string;
  audited: boolean;
  schedulesItself: boolean;
  /** Grants that make the command useful to someone (for /ops help); empty means everyone. */
  actions: readonly Action[];
  prepare(text: string, config: Config): PreparedCommand;
}

export interface PreparedCommand {
  access: AccessRequest | null;
  target: Target;
  run(ctx: CommandContext): Promise<CommandOutcome | undefined>;
}

export function register<A>(def: CommandDef<A>, actions: readonly Action[]): RegisteredCommand {
  return {
    name: def.name,
    usage: def.usage,
    summary: def.summary,
    audited: def.audited,
    schedulesItself: def.schedulesItself ?? false,
    actions,
    prepare(text, config) {
      const args = def.parse(text, config);
      return { access: def.access(args), target: def.target(args), run: (ctx) => def.run(ctx, args) };
    },
  };
}
