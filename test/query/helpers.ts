import type { CommandContext } from '../../commands/types.js';
import { Config, type DatabaseConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import type { FileUpload, SlackMessage } from '../../src/slack/reply.js';

export const CHANNEL = 'C0123456789';

/** A command context that records what would be posted to Slack and logged. */
export function fakeContext(databases: Record<string, DatabaseConfig>, text: string) {
  const posted: SlackMessage[] = [];
  const ephemeral: SlackMessage[] = [];
  const uploads: Array<{ channel: string; file: FileUpload }> = [];
  const logs: string[] = [];
  const config = Config.parse({ channels: { ops: CHANNEL }, databases });
  const ctx: CommandContext = {
    invocation: { user: 'U0ALICE', channel: CHANNEL, text, commandText: '/query', requestId: 'req-1' },
    config,
    reply: {
      async ephemeral(m) {
        ephemeral.push(m);
      },
      async inChannel(m) {
        posted.push(m);
        return { channel: CHANNEL, ts: '1.1' };
      },
    },
    slack: {
      post: async () => ({ channel: CHANNEL, ts: '1.2' }),
      update: async () => undefined,
      postEphemeral: async () => undefined,
      async uploadFile(channel, file) {
        uploads.push({ channel, file });
      },
    },
    log: createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } }),
    auditId: 'audit-1',
  };
  return { ctx, config, posted, ephemeral, uploads, logs };
}

/** Everything a Slack user would see, as one string. */
export function visibleText(m: SlackMessage): string {
  return [m.text, JSON.stringify(m.blocks ?? [])].join('\n');
}
