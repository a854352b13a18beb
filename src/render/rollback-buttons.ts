import { createHash } from 'node:crypto';
import { truncate } from './format.js';

/** Button that re-enters this command as `/rollback <app> <env> <id>`. */
export const ACTION_ROLLBACK_COMMAND = 'rollback.command';
/**
 * Matches every such button. Slack refuses two equal action_ids in one block
 * (`invalid_blocks`), so each button's id carries a short digest of its command text.
 */
export const ROLLBACK_COMMAND_ACTIONS = /^rollback\.command(?::[0-9a-f]+)?$/;

/** Slack's confirmation dialog on a button (title 100, text 300, buttons 30 characters). */
export interface ConfirmDialog {
  title: string;
  /** mrkdwn. */
  text: string;
  confirm: string;
  deny?: string;
}

/** A button whose value is command text for /rollback (handled in commands/buttons.ts). */
export function rollbackButton(
  text: string,
  commandText: string,
  style?: 'primary' | 'danger',
  confirm?: ConfirmDialog,
) {
  return {
    type: 'button' as const,
    action_id: `${ACTION_ROLLBACK_COMMAND}:${createHash('sha256').update(commandText).digest('hex').slice(0, 12)}`,
    text: { type: 'plain_text' as const, text: truncate(text, 75) },
    value: commandText,
    ...(style ? { style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: { type: 'plain_text' as const, text: truncate(confirm.title, 100) },
            text: { type: 'mrkdwn' as const, text: truncate(confirm.text, 300) },
            confirm: { type: 'plain_text' as const, text: truncate(confirm.confirm, 30) },
            deny: { type: 'plain_text' as const, text: truncate(confirm.deny ?? 'Cancel', 30) },
          },
        }
      : {}),
  };
}
