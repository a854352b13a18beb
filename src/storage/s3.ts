import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DocksideError } from '../errors.js';
import type { BackupStorage, StoredObject } from './types.js';

export interface S3StorageOptions {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Multipart part size; S3 requires at least 5 MiB. */
  partSize?: number;
  /** Parts in flight at once; memory use is about partSize * queueSize. */
  queueSize?: number;
}

const MIB = 1024 * 1024;

/** DigitalOcean Spaces or any S3-compatible store, streamed with lib-storage's multipart Upload. */
export class S3Storage implements BackupStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly options: S3StorageOptions;

  constructor(options: S3StorageOptions) {
    this.options = options;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // A dump upload is not idempotent across parts; lib-storage retries parts itself.
      maxAttempts: 3,
    });
  }

  describe(key: string): string {
    return `s3://${this.options.bucket}/${this.objectKey(key)}`;
  }

  async put(key: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: this.objectKey(key), Body: body },
      partSize: this.options.partSize ?? 8 * MIB,
      queueSize: this.options.queueSize ?? 2,
      // On any failure lib-storage sends AbortMultipartUpload so no parts are left billed and hidden.
      leavePartsOnError: false,
    });
    // No upload.abort() on a body error: that settles done() at once while parts are still in
    // flight, and the AbortMultipartUpload would only follow later. Letting the failed read end
    // the upload makes done() settle after lib-storage has aborted it.
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      if (err instanceof DocksideError) throw err;
      const bodyError = (body as { errored?: unknown }).errored;
      if (bodyError instanceof DocksideError) throw bodyError;
      throw new DocksideError('backup_failed', `Uploading the dump to ${this.describe(key)} failed.`, {
        hint: 'Check the Spaces endpoint, bucket and keys; the multipart upload was aborted.',
        cause: err,
      });
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      if (!(out.Body instanceof Readable)) throw new Error('no body');
      return out.Body;
    } catch (err) {
      if (isNotFound(err)) throw new DocksideError('backup_not_found', `${this.describe(key)} is missing.`);
      throw new DocksideError('backup_failed', `Reading ${this.describe(key)} failed.`, { cause: err });
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      return { key, size: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
    );
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const base = this.objectKey('');
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.objectKey(prefix),
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key) out.push({ key: item.Key.slice(base.length), size: item.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private objectKey(key: string): string {
    return `${this.options.prefix}${key}`;
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
