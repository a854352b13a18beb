/** A freeze of changes to one app env, kept in Redis. */
export interface Lock {
  app: string;
  env: string;
  /** Slack user id, or `dockside` for automatic locks (after a rollback). */
  by: string;
  reason: string;
  /** ISO time. */
  since: string;
  /** ISO time; absent means until unlocked. */
  expiresAt?: string;
}

export interface LockStore {
  get(app: string, env: string): Promise<Lock | null>;
  list(): Promise<Lock[]>;
  /** Replaces an existing lock (re-locking updates reason and expiry). */
  lock(lock: Lock): Promise<void>;
  /** Returns the lock that was removed, or null when there was none. */
  unlock(app: string, env: string): Promise<Lock | null>;
}
