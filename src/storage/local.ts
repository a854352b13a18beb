import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DocksideError } from '../errors.js';
import type { BackupStorage, StoredObject } from './types.js';

export interface LocalStorageOptions {
  /** Seam for tests that need a write to fail as a full disk does. */
  openWrite?: (file: string) => Writable;
}

/** Dumps in a local directory; written to a `.partial` name and renamed only when complete. */
export class LocalStorage implements BackupStorage {
  readonly kind = 'local' as const;
  private readonly root: string;
  private readonly openWrite: (file: string) => Writable;

  constructor(root: string, options: LocalStorageOptions = {}) {
    this.root = path.resolve(root);
    this.openWrite = options.openWrite ?? ((file) => createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  }

  describe(key: string): string {
    return this.file(key);
  }

  async put(key: string, body: Readable): Promise<void> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const partial = `${target}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await pipeline(body, this.openWrite(partial));
      await rename(partial, target);
    } catch (err) {
      body.destroy();
      await rm(partial, { force: true });
      throw storageError(err, target);
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    // Open eagerly so a missing file is an error here, not a stream error later.
    const info = await stat(file).catch(() => null);
    if (!info) throw new DocksideError('backup_not_found', `The dump file ${file} is missing.`);
    return createReadStream(file);
  }

  async stat(key: string): Promise<StoredObject | null> {
    const info = await stat(this.file(key)).catch(() => null);
    return info ? { key, size: info.size } : null;
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const dir = path.dirname(this.file(`${prefix}x`));
    const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
    const out: StoredObject[] = [];
    for (const name of names) {
      const key = path.relative(this.root, path.join(dir, name)).split(path.sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith('.partial')) continue;
      const info = await stat(path.join(dir, name)).catch(() => null);
      if (info?.isFile()) out.push({ key, size: info.size });
    }
    return out;
  }

  private file(key: string): string {
    const file = path.resolve(this.root, key);
    // Keys come from dockside itself, but a key must never escape the backup directory.
    if (!file.startsWith(this.root + path.sep)) throw new DocksideError('internal', `bad storage key ${key}`);
    return file;
  }
}

function storageError(err: unknown, target: string): DocksideError {
  if (err instanceof DocksideError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DocksideError('backup_failed', `The disk holding ${path.dirname(target)} is full.`, {
      hint: 'Free space or point backups.destination elsewhere; the partial file was removed.',
      cause: err,
    });
  }
  if (code === 'EACCES' || code === 'EROFS') {
    return new DocksideError('backup_failed', `dockside may not write to ${path.dirname(target)}.`, {
      hint: 'Check the directory permissions of backups.destination.path.',
      cause: err,
    });
  }
  return new DocksideError('backup_failed', `Writing the dump failed: ${(err as Error).message ?? err}`, {
    cause: err,
  });
}
