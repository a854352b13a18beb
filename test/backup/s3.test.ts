import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupOperations } from '../../handlers/backup/index.js';
import { S3Storage } from '../../src/storage/s3.js';
import { startFakeS3 } from '../helpers/fake-s3.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, fakeDo, MemoryAudit, makeConfig, scratchPg, silentLog } from './helpers.js';

const MIB = 1024 * 1024;

// This file talks only to the local fake S3, and streams dumps of several MB through it.
// nock's interceptor socket (which every request passes through otherwise) reset such
// downloads under load in CI, so these requests use real sockets.
beforeAll(() => nock.restore());
afterAll(() => nock.activate());

describe('dumps to S3-compatible storage (Spaces) with a multipart upload', async () => {
  const { redis } = testRedis('s3');
  const s3 = await startFakeS3();
  afterAll(() => s3.close());
  const source = await scratchPg('s3');
  // Random bytes do not compress, so the dump spans several 5 MiB parts.
  await source.query(`
    CREATE TABLE blobs AS
    SELECT g AS id, decode(md5(g::text || random()::text) || md5(random()::text), 'hex') AS b
    FROM generate_series(1, 450000) g`);
  const config = makeConfig({ databases: { main: { engine: 'postgres', url: source.url } } });
  const storage = new S3Storage({
    endpoint: s3.url,
    region: 'nyc3',
    bucket: 'acme-backups',
    prefix: 'dockside/',
    accessKeyId: 'test-key',
    secretAccessKey: 'test-secret',
    forcePathStyle: true,
    partSize: 5 * MIB,
  });
  const ops = createBackupOperations({
    config,
    redis,
    storage,
    do: fakeDo().client,
    audit: new MemoryAudit(),
    clock: new FakeClock(Date.parse('2026-11-05T09:00:00Z')),
    log: silentLog,
  });

  it('uploads in parts, records size and sha256 of what is stored, and lists it', async () => {
    const record = await ops.dump({ db: 'main', requestedBy: 'U0ALICE' });
    expect(record.destination).toBe('s3');
    expect(record.location).toBe(`s3://acme-backups/dockside/${record.key}`);
    const stored = s3.objects.get(`acme-backups/dockside/${record.key}`);
    expect(stored?.length).toBe(record.size);
    expect(record.size).toBeGreaterThan(10 * MIB);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(stored!).digest('hex')).toBe(record.sha256);
    expect(s3.requests.filter((r) => r.includes('partNumber=')).length).toBeGreaterThanOrEqual(3);
    expect(s3.openUploads.size).toBe(0);
    expect(await storage.list('main/')).toEqual([{ key: record.key, size: record.size }]);
    expect((await ops.list('main')).items[0]?.id).toBe(record.id);
  });

  it('aborts the multipart upload when a part fails mid-way and indexes nothing', async () => {
    const before = (await ops.list('main')).items.length;
    s3.failUploadPart = 2;
    let err: (Error & { code?: string; hint?: string }) | null = null;
    try {
      err = await ops.dump({ db: 'main', requestedBy: 'U0ALICE' }).then(
        () => null,
        (e: Error & { code?: string; hint?: string }) => e,
      );
      expect(err?.code).toBe('backup_failed');
      expect(err?.message).toMatch(
        /^Uploading the dump to s3:\/\/acme-backups\/dockside\/main\/.* failed\.$/,
      );
      expect(err?.hint).toMatch(/multipart upload was aborted/);
    } finally {
      s3.failUploadPart = undefined;
    }
    expect(s3.aborted).toHaveLength(1);
    expect(s3.openUploads.size).toBe(0);
    expect([...s3.objects.keys()]).toHaveLength(1);
    expect((await ops.list('main')).items).toHaveLength(before);
  });
});
