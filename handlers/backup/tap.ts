import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes a dump through unchanged while counting bytes, hashing them and keeping the
 * last few bytes (for mysqldump's completion trailer). Its end is held until `gate`
 * settles, so when the dump tool exits non-zero after writing everything, the stream
 * fails instead of ending and the destination throws the partial object away.
 */
export class DumpTap extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private tailBuf: Buffer = Buffer.alloc(0);
  private digest: string | undefined;
  private readonly gate: Promise<void> | undefined;
  private readonly onProgress: ((bytes: number) => void) | undefined;

  constructor(options: { gate?: Promise<void>; onProgress?: (bytes: number) => void } = {}) {
    super();
    this.gate = options.gate;
    this.onProgress = options.onProgress;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.tailBuf = Buffer.concat([this.tailBuf, chunk.subarray(-512)]).subarray(-512);
    this.onProgress?.(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.gate) {
      callback();
      return;
    }
    this.gate.then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }

  sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }

  tail(): string {
    return this.tailBuf.toString('utf8');
  }
}
