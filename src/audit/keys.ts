/**
 * Redis key layout of the audit log (all under the client's keyPrefix):
 * - `audit:head`        hash {seq, hash, id} of the newest entry; the compare-and-set target
 * - `audit:entries`     hash id -> entry JSON
 * - `audit:ids`         zset id scored by seq: the live chain in order
 * - `audit:app:<app>`   zset id scored by seq, per app
 * - `audit:user:<user>` zset id scored by seq, per actor
 * - `audit:checkpoint`  hash {seq, hash, id, count, archive, at} of the last archived entry
 * - `audit:archive`     stream of archived entries (fields id, entry), oldest first
 */
export const AUDIT_KEYS = {
  head: 'audit:head',
  entries: 'audit:entries',
  ids: 'audit:ids',
  checkpoint: 'audit:checkpoint',
  archive: 'audit:archive',
  app: (app: string) => `audit:app:${app}`,
  user: (user: string) => `audit:user:${user}`,
};
