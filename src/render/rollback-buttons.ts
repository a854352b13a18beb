import { truncate } from './format.js';

/** Button that re-enters this command as `/rollback <app> <env> <id>`. */
export const ACTION_ROLLBACK_COMMAND = 'rollback.command';

/** A button whose value is command text for /rollback (handled in commands/buttons.ts). */
export function rollbackButton(text: string, commandText: string, style?: 'primary' | 'danger') {
  return {
    type: 'button' as const,
    action_id: ACTION_ROLLBACK_COMMAND,
    text: { type: 'plain_text' as const, text: truncate(text, 75) },
    value: commandText,
    ...(style ? { style } : {}),
  };
}
