import { queryCommand } from '../../commands/query.js';
import type { DatabaseConfig } from '../../src/config/schema.js';
import type { DatabasePools } from '../../src/db/pools.js';
import { isDocksideError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { toUserMessage } from '../../src/user-message.js';
import { fakeContext, visibleText } from './helpers.js';

/** Values of the fixture's masked columns: none may ever be seen, logged or audited. */
export const SECRETS = [
  /ada@example/i,
  /grace@example/i,
  /\+44 20/,
  /\+1 202/,
  /\+358/,
  /hash-(ada|grace|linus)/,
];

export interface Seen {
  /** query_refused, query_failed, ... or 'ok'. */
  code: string;
  /** Everything a Slack user saw (answer or error text), the log lines and the audit outcome. */
  everything: string;
  shown: string;
}

/** Runs `/query <text>` as the command does and collects everything that left the process. */
export async function attempt(
  pools: DatabasePools,
  databases: Record<string, DatabaseConfig>,
  text: string,
): Promise<Seen> {
  const f = fakeContext(databases, text);
  const cmd = queryCommand({ pools });
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void f.logs.push(s) } });
  let code = 'ok';
  let errorText = '';
  let outcome: unknown;
  try {
    outcome = await cmd.run(f.ctx, cmd.parse(text, f.config));
  } catch (err) {
    code = isDocksideError(err) ? err.code : 'internal';
    // The same function that writes the user's answer, and its log line.
    errorText = toUserMessage(err, log);
  }
  const shown = [
    ...f.posted.map(visibleText),
    ...f.uploads.map((u) => `${u.file.initialComment ?? ''}\n${u.file.content.toString()}`),
    errorText,
  ].join('\n');
  return { code, shown, everything: `${shown}\n${f.logs.join('\n')}\n${JSON.stringify(outcome ?? {})}` };
}

export function leaked(seen: Seen): RegExp[] {
  return SECRETS.filter((re) => re.test(seen.everything));
}
