import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
    checkSame(stored, record);
    return {};
  }
  // One download: the bytes are hashed and, on the way, fed to `pg_restore --list`.
  const lister = pgRestoreLister(tools);
  try {
    await pipeline(await storage.get(record.key), stored, lister.sink);
  } catch (err) {
    lister.abandon();
    throw err;
  }
  checkSame(stored, record);
  return { entries: await lister.entries };
}

function checkSame(stored: DumpTap, record: Pick<DumpRecord, 'size' | 'sha256'>): void {
  if (stored.bytes !== record.size || stored.sha256() !== record.sha256) {
    throw new DocksideError(
      'backup_failed',
      `The stored dump differs from what was written (${stored.bytes} bytes, expected ${record.size}).`,
    );
  }
}

/**
 * `pg_restore --list` must read the archive's table of contents. It reads the first
 * part of the stream and exits; the sink then discards the rest, so the download
 * (hashed alongside) is held back by pg_restore only until it has what it needs.
 */
function pgRestoreLister(tools: ToolPaths): {
  sink: Writable;
  entries: Promise<number>;
  abandon: () => void;
} {
  const run = runTool('pg_restore', ['--list'], { env: {} }, tools, { stdin: 'pipe' });
  const stdin = run.child.stdin!;
  let entries = 0;
  let rest = '';
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (/^\d+;/.test(line)) entries += 1;
  });
  let open = true;
  let release: (() => void) | undefined;
  const close = () => {
    open = false;
    release?.();
  };
  // EPIPE once pg_restore has exited is expected.
  stdin.on('error', close);
  stdin.on('close', close);
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (!open || stdin.write(chunk)) return callback();
      release = () => {
        release = undefined;
        callback();
      };
      stdin.once('drain', () => release?.());
    },
    final(callback) {
      if (open) stdin.end();
      callback();
    },
  });
  const done = run.done.then(
    () => entries,
    (err: unknown) => {
      throw new DocksideError(
        'backup_failed',
        'pg_restore cannot read the dump, so it is not a usable backup.',
        {
          cause: err,
        },
      );
    },
  );
  // Awaited after the hash check; if that check throws first, this must not go unhandled.
  done.catch(() => undefined);
  return {
    sink,
    entries: done,
    abandon: () => {
      stdin.destroy();
      run.child.kill();
      done.catch(() => undefined);
    },
  };
}
