import type { BackupDestination } from '../config/schema.js';
import { DocksideError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { LocalStorage } from './local.js';
import type { S3StorageOptions } from './s3.js';
import type { BackupStorage } from './types.js';

export { LocalStorage } from './local.js';
export type { BackupStorage, StoredObject } from './types.js';

/** Builds the configured destination; S3 keys come from config or SPACES_KEY / SPACES_SECRET. */
export function createStorage(
  destination: BackupDestination,
  env: Record<string, string | undefined> = process.env,
): BackupStorage {
  if (destination.type === 'local') return new LocalStorage(destination.path);
  const accessKeyId = destination.access_key_id ?? env.SPACES_KEY;
  const secretAccessKey = destination.secret_access_key ?? env.SPACES_SECRET;
  if (!accessKeyId || !secretAccessKey) {
    throw new DocksideError('config_invalid', 'backups.destination is s3 but no access keys are set.', {
      hint: 'Set SPACES_KEY and SPACES_SECRET, or access_key_id / secret_access_key in the config.',
    });
  }
  registerSecret(secretAccessKey);
  return lazyS3({
    endpoint: destination.endpoint,
    region: destination.region,
    bucket: destination.bucket,
    prefix: destination.prefix,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: destination.force_path_style,
  });
}

/**
 * A local destination in production: on App Platform (and any container platform) the
 * disk is replaced at every redeploy, and the dumps with it. Said at start-up and in /health.
 */
export function destinationWarning(destination: BackupDestination, production: boolean): string | null {
  if (destination.type !== 'local' || !production) return null;
  return `Backups are written to ${destination.path} on dockside's own disk, which a redeploy discards (App Platform keeps no files): set backups.destination to s3 (DigitalOcean Spaces).`;
}

/** The AWS SDK costs ~20 MB of memory; it is loaded with the first backup, not at start-up. */
function lazyS3(options: S3StorageOptions): BackupStorage {
  let storage: Promise<BackupStorage> | undefined;
  const get = () => {
    storage ??= import('./s3.js').then(({ S3Storage }) => new S3Storage(options));
    return storage;
  };
  return {
    kind: 's3',
    describe: (key) => `s3://${options.bucket}/${options.prefix}${key}`,
    put: async (key, body) => (await get()).put(key, body),
    get: async (key) => (await get()).get(key),
    stat: async (key) => (await get()).stat(key),
    delete: async (key) => (await get()).delete(key),
    list: async (prefix) => (await get()).list(prefix),
  };
}
