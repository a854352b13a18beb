import { escapeText, mention, slackDate } from '../render/format.js';
import type { Lock } from './types.js';

/** "locked by <@U0BOB> since <date>, until <date>: release freeze" — one wording everywhere. */
export function describeLock(lock: Lock): string {
  const until = lock.expiresAt ? `, until ${slackDate(lock.expiresAt)}` : '';
  return `locked by ${mention(lock.by)} since ${slackDate(lock.since)}${until}: ${escapeText(lock.reason || 'no reason given')}`;
}
