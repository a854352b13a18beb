import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBackupOperations } from '../../handlers/backup/index.js';
import type { ToolPaths } from '../../handlers/backup/tools.js';
import { LocalStorage, type LocalStorageOptions } from '../../src/storage/local.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, fakeDo, MemoryAudit, makeConfig, scratchPg, silentLog, tempDir } from './helpers.js';

describe('dumps that fail leave nothing behind and say why', async () => {
  const { redis } = testRedis('dumpfail');
  const source = await scratchPg('fail');
  await source.query('CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g');
  const config = makeConfig({ databases: { main: { engine: 'postgres', url: source.url } } });
  const bin = await tempDir();

  async function script(name: string, body: string): Promise<string> {
    const file = path.join(bin, name);
    await writeFile(
      file,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.2"; exit 0; fi\n${body}\n`,
    );
    await chmod(file, 0o755);
    return file;
  }

  async function attempt(tools: ToolPaths, storageOptions: LocalStorageOptions = {}) {
    const dir = await tempDir();
    const ops = createBackupOperations({
      config,
      redis,
      storage: new LocalStorage(dir, storageOptions),
      do: fakeDo().client,
      audit: new MemoryAudit(),
      clock: new FakeClock(Date.now()),
      log: silentLog,
      tools,
    });
    const error = await ops.dump({ db: 'main', requestedBy: 'U0ALICE' }).then(
      () => null,
      (err: Error & { code?: string; hint?: string }) => err,
    );
    const files = await readdir(dir, { recursive: true });
    const dumps = (await ops.list('main')).items;
    // The per-db directory may remain; no file in it may.
    return { error, files: files.filter((f) => f !== 'main'), dumps };
  }

  it('says when pg_dump is not installed', async () => {
    const { error, files, dumps } = await attempt({ pg_dump: '/nonexistent/pg_dump' });
    expect(error?.code).toBe('backup_failed');
    expect(error?.message).toBe('pg_dump is not installed where dockside runs.');
    expect(error?.hint).toMatch(/PostgreSQL/);
    expect(files).toEqual([]);
    expect(dumps).toEqual([]);
  });

  it('says when pg_dump is older than the server', async () => {
    const fake = await script(
      'pg_dump_old',
      'echo "pg_dump: error: aborting because of server version mismatch" >&2\necho "pg_dump: detail: server version: 16.4; pg_dump version: 15.2" >&2\nexit 1',
    );
    const { error, files, dumps } = await attempt({ pg_dump: fake });
    expect(error?.message).toBe('pg_dump is older than the database server (server 16.4, pg_dump 15.2).');
    expect(files).toEqual([]);
    expect(dumps).toEqual([]);
  });

  it('removes the partial file when pg_dump dies after writing part of the dump', async () => {
    const real = (await import('node:child_process')).execSync('command -v pg_dump').toString().trim();
    const fake = await script(
      'pg_dump_dies',
      `${real} "$@" | head -c 200000\necho "pg_dump: error: connection lost" >&2\nexit 2`,
    );
    const { error, files, dumps } = await attempt({ pg_dump: fake });
    expect(error?.code).toBe('backup_failed');
    expect(error?.message).toMatch(/pg_dump exited with code 2: pg_dump: error: connection lost/);
    expect(files).toEqual([]);
    expect(dumps).toEqual([]);
  });

  it('reports a full disk, removes the partial file and indexes nothing', async () => {
    let written = 0;
    // Writes the first chunks for real, then fails as a full disk does.
    const openWrite = (file: string) => {
      const real = createWriteStream(file);
      return new Writable({
        write(chunk: Buffer, _enc, callback) {
          written += chunk.length;
          if (written > 64 * 1024) {
            callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
            return;
          }
          real.write(chunk, callback);
        },
        final(callback) {
          real.end(callback);
        },
        destroy(err, callback) {
          real.destroy();
          callback(err);
        },
      });
    };
    const { error, files, dumps } = await attempt({}, { openWrite });
    expect(written).toBeGreaterThan(64 * 1024);
    expect(error?.message).toMatch(/^The disk holding .* is full\.$/);
    expect(error?.hint).toMatch(/partial file was removed/);
    expect(files).toEqual([]);
    expect(dumps).toEqual([]);
  });

  it('reports a destination it may not write to', async () => {
    const dir = await tempDir();
    const locked = path.join(dir, 'ro');
    await mkdir(locked, { mode: 0o500 });
    const ops = createBackupOperations({
      config,
      redis,
      storage: new LocalStorage(locked, {
        openWrite: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
      }),
      do: fakeDo().client,
      audit: new MemoryAudit(),
      clock: new FakeClock(Date.now()),
      log: silentLog,
    });
    await expect(ops.dump({ db: 'main', requestedBy: 'U0ALICE' })).rejects.toThrow(/may not write to/);
  });
});
