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

/** The store as /lock uses it: taking a lock must not silently replace someone else's. */
export interface ExclusiveLockStore extends LockStore {
  /**
   * Takes the lock unless someone else holds a live one: then `held` says whose, and
   * nothing changes. `force` replaces theirs (the caller audits that). Re-locking one's
   * own lock updates reason and expiry. Atomic across replicas.
   */
  acquire(
    lock: Lock,
    options: { force: boolean },
  ): Promise<{ ok: true; replaced?: Lock } | { ok: false; held: Lock }>;
}
