import type { Lock } from './types.js';

/** "locked by <@U0BOB> since 2026-11-22T08:00:00Z, until …: release freeze" — one wording everywhere. */
export function describeLock(lock: Lock): string {
  const who = lock.by === 'dockside' ? 'dockside' : `<@${lock.by}>`;
  const time = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');
  const until = lock.expiresAt ? `, until ${time(lock.expiresAt)}` : '';
  return `locked by ${who} since ${time(lock.since)}${until}: ${lock.reason}`;
}
