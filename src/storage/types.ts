import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
}

/**
 * Where dumps are kept. `put` is all-or-nothing: when the body errors or the write
 * fails, nothing is left under the key (partial file removed, multipart upload
 * aborted), so a half-written dump can never be mistaken for a backup.
 */
export interface BackupStorage {
  readonly kind: 'local' | 's3';
  /** Where an object lives, for messages and the index; never contains credentials. */
  describe(key: string): string;
  put(key: string, body: Readable): Promise<void>;
  get(key: string): Promise<Readable>;
  stat(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<StoredObject[]>;
}
