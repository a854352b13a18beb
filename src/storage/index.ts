import type { BackupDestination } from '../config/schema.js';
import { DocksideError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { BackupStorage } from './types.js';

export { LocalStorage } from './local.js';
export { S3Storage } from './s3.js';
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
  return new S3Storage({
    endpoint: destination.endpoint,
    region: destination.region,
    bucket: destination.bucket,
    prefix: destination.prefix,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: destination.force_path_style,
  });
}
