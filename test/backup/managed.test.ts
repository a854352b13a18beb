import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBackupOperations } from '../../handlers/backup/index.js';
import { DumpIndex } from '../../handlers/backup/index-store.js';
import { LocalStorage } from '../../src/storage/local.js';
import { testRedis } from '../helpers/redis.js';
import { FakeClock, fakeDo, MemoryAudit, makeConfig, silentLog, tempDir } from './helpers.js';

describe('managed backups through the DO API', async () => {
  const { redis } = testRedis('managed');
  const dir = await tempDir();
  const config = makeConfig({
    databases: {
      main: {
        engine: 'postgres',
        url: 'postgres://app@db.example.com:25060/defaultdb',
        cluster_id: 'cl-source',
      },
    },
  });
  const backups = [
    { createdAt: '2026-11-04T02:11:00Z', sizeGigabytes: 0.5 },
    { createdAt: '2026-11-05T02:10:00Z', sizeGigabytes: 0.52 },
  ];
  const fake = fakeDo({ backups, cluster: { name: 'acme-main-pg' } });
  const storage = new LocalStorage(dir);
  const ops = createBackupOperations({
    config,
    redis,
    storage,
    do: fake.client,
    audit: new MemoryAudit(),
    clock: new FakeClock(Date.parse('2026-11-05T12:00:00Z')),
    log: silentLog,
  });

  it('lists managed backups and dockside dumps together, newest first', async () => {
    await storage.put('main/main-20261104-120000-aaaa.dump', Readable.from([Buffer.from('x')]));
    await new DumpIndex(redis).add({
      id: 'main-20261104-120000-aaaa',
      db: 'main',
      engine: 'postgres',
      key: 'main/main-20261104-120000-aaaa.dump',
      location: 'x',
      destination: 'local',
      size: 1,
      sha256: 'x',
      durationMs: 1,
      requestedBy: 'U0ALICE',
      createdAt: '2026-11-04T12:00:00Z',
      tool: 'pg_dump',
    });
    const { items, managedError } = await ops.list('main');
    expect(managedError).toBeUndefined();
    expect(items.map((i) => `${i.kind} ${i.id}`)).toEqual([
      'managed 2026-11-05T02:10:00Z',
      'dump main-20261104-120000-aaaa',
      'managed 2026-11-04T02:11:00Z',
    ]);
  });

  it('restores a managed backup into a NEW cluster named after the source, with the exact backup time', async () => {
    const result = await ops.restore({
      db: 'main',
      backupId: '2026-11-04T02:11:00.000Z',
      requestedBy: 'U0BOB',
    });
    expect(fake.restores).toEqual([
      {
        sourceClusterId: 'cl-source',
        newClusterName: 'acme-main-pg-restore-20261104-0211',
        backupCreatedAt: '2026-11-04T02:11:00Z',
      },
    ]);
    expect(result.kind).toBe('managed');
    expect(result.message).toContain('NEW cluster *acme-main-pg-restore-20261104-0211* (cl-new)');
    expect(result.message).toContain('acme-main-pg is untouched');
    expect(result.message).toMatch(/DATABASE_URL/);
  });

  it('does not call DigitalOcean for a backup that does not exist', async () => {
    const before = fake.restores.length;
    await expect(
      ops.restore({ db: 'main', backupId: '2026-01-01T00:00:00Z', requestedBy: 'U0BOB' }),
    ).rejects.toMatchObject({
      code: 'backup_not_found',
    });
    expect(fake.restores).toHaveLength(before);
  });

  it('refuses to restore a dump when the db has no restore target', async () => {
    await expect(
      ops.restore({ db: 'main', backupId: 'main-20261104-120000-aaaa', requestedBy: 'U0BOB' }),
    ).rejects.toMatchObject({ code: 'restore_not_possible', message: 'main has no restore target.' });
  });

  it('still lists the dumps when the DO API fails, and says what is missing', async () => {
    const broken = fakeDo();
    broken.client.listDatabaseBackups = async () => {
      throw new Error('socket hang up');
    };
    const list = await createBackupOperations({
      config,
      redis,
      storage,
      do: broken.client,
      audit: new MemoryAudit(),
      clock: new FakeClock(Date.now()),
      log: silentLog,
    }).list('main');
    expect(list.items.map((i) => i.kind)).toEqual(['dump']);
    expect(list.managedError).toBe('the DigitalOcean API did not answer');
  });
});
