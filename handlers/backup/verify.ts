import { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DocksideError } from '../../src/errors.js';
import type { BackupStorage } from '../../src/storage/types.js';
import { DumpTap } from './tap.js';
import { runTool, type ToolPaths } from './tools.js';
import type { DumpRecord } from './types.js';

export const MYSQL_TRAILER = '-- Dump completed';

const discard = () =>
  new Writable({
    write(_chunk, _enc, callback) {
      callback();
    },
  });

/**
 * Reads a stored dump back: its bytes must match what was written (size and sha256),
 * and the engine's own reader must accept it. A dump is reported good only after this.
 */
export async function verifyStored(
  storage: BackupStorage,
  record: Pick<DumpRecord, 'key' | 'engine' | 'size' | 'sha256'>,
  tools: ToolPaths = {},
): Promise<{ entries?: number }> {
  const stored = new DumpTap();
  if (record.engine === 'mysql') {
    const plain = new DumpTap();
    await pipeline(await storage.get(record.key), stored, createGunzip(), plain, discard());
    if (!plain.tail().includes(MYSQL_TRAILER)) {
      throw new DocksideError('backup_failed', 'The MySQL dump is incomplete (no "Dump completed" trailer).');
    }
  } else {
    await pipeline(await storage.get(record.key), stored, discard());
  }
  if (stored.bytes !== record.size || stored.sha256() !== record.sha256) {
    throw new DocksideError(
      'backup_failed',
      `The stored dump differs from what was written (${stored.bytes} bytes, expected ${record.size}).`,
    );
  }
  if (record.engine === 'postgres') return { entries: await pgRestoreList(storage, record.key, tools) };
  return {};
}

/** `pg_restore --list` must read the archive's table of contents; returns its entry count. */
async function pgRestoreList(storage: BackupStorage, key: string, tools: ToolPaths): Promise<number> {
  const run = runTool('pg_restore', ['--list'], { env: {} }, tools, { stdin: 'pipe' });
  let entries = 0;
  let rest = '';
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (/^\d+;/.test(line)) entries += 1;
  });
  const input = await storage.get(key);
  const stdin = run.child.stdin!;
  // pg_restore stops reading once it has the table of contents (EPIPE on its stdin).
  // The rest of the body is then read to its end, not destroyed: aborting a remote (S3)
  // body mid-way leaves the SDK with a rejected read that nobody awaits.
  const drain = () => {
    input.unpipe(stdin);
    input.resume();
  };
  stdin.on('error', drain);
  const read = finished(input);
  input.pipe(stdin);
  try {
    await run.done;
  } catch (err) {
    drain();
    await read.catch(() => undefined);
    throw new DocksideError(
      'backup_failed',
      'pg_restore cannot read the dump, so it is not a usable backup.',
      {
        cause: err,
      },
    );
  }
  drain();
  await read.catch((err: unknown) => {
    throw new DocksideError('backup_failed', 'Reading the dump back from its destination failed.', {
      cause: err,
    });
  });
  return entries;
}
