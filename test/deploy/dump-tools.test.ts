import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackupOperations } from '../../handlers/backup/index.js';
import { checkDumpTools, requireDumpTools } from '../../handlers/backup/tool-fit.js';
import { judgeToolFit, parseServerVersion, parseToolVersion } from '../../handlers/backup/tools.js';
import { referenceRows } from '../../src/config/reference.js';
import { LocalStorage } from '../../src/storage/local.js';
import {
  FakeClock,
  fakeDo,
  MemoryAudit,
  MYSQL_ADMIN,
  makeConfig,
  PG_ADMIN,
  scratchPg,
  silentLog,
  tempDir,
} from '../backup/helpers.js';
import { testRedis } from '../helpers/redis.js';
import { readDockerfile } from './spec-files.js';

describe('the image installs dump tools for every server version dockside documents', () => {
  it('pg_dump and mysqldump in the Dockerfile are at least the newest documented server versions', () => {
    const engine = referenceRows().find((r) => r.path === 'databases.<name>.engine')?.description ?? '';
    const pg = /PostgreSQL (\d+)[–-](\d+)/.exec(engine);
    const my = /MySQL (\d+)/.exec(engine);
    expect(pg && my, engine).toBeTruthy();
    const text = readDockerfile().text;
    const pgClient = Number(/ARG PG_CLIENT=(\d+)/.exec(text)?.[1]);
    const mysqlSeries = Number(/ARG MYSQL_SERIES=(\d+)/.exec(text)?.[1]);
    expect(text).toMatch(/"postgresql-client-\$\{PG_CLIENT\}"/);
    expect(text).toMatch(/apt\.postgresql\.org/);
    expect(text).toMatch(/mysql-community-client/);
    expect(pgClient).toBeGreaterThanOrEqual(Number(pg?.[2]));
    expect(mysqlSeries).toBeGreaterThanOrEqual(Number(my?.[1]));
    // Debian's MariaDB client does not fit MySQL 8.
    expect(text).not.toMatch(/mariadb-client|postgresql-client\s/);
  });
});

describe('before a dump, the client is compared with the server', () => {
  it('reads the versions the tools and servers print', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toMatchObject({
      flavor: 'postgresql',
      major: 15,
    });
    expect(
      parseToolVersion('mysqldump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)'),
    ).toMatchObject({ flavor: 'mariadb', major: 10, minor: 11 });
    expect(
      parseToolVersion('mysqldump  Ver 8.4.3 for Linux on x86_64 (MySQL Community Server - GPL)'),
    ).toMatchObject({ flavor: 'mysql', major: 8, minor: 4 });
    expect(parseServerVersion('postgres', '160004')).toMatchObject({ major: 16, text: 'PostgreSQL 16' });
    expect(parseServerVersion('mysql', '8.0.35')).toMatchObject({ flavor: 'mysql', major: 8 });
  });

  it("says what to do when pg_dump is older than the server, or MariaDB's client meets MySQL 8", () => {
    const pg15 = parseToolVersion('pg_dump (PostgreSQL) 15.2')!;
    const old = judgeToolFit(pg15, parseServerVersion('postgres', '160004')!);
    expect(old).toMatchObject({
      fits: false,
      problem: 'pg_dump 15 cannot dump PostgreSQL 16: pg_dump refuses servers newer than itself',
    });
    expect(old.hint).toMatch(/postgresql-client-16 or newer from the PostgreSQL project's apt repository/);
    expect(
      judgeToolFit(parseToolVersion('pg_dump (PostgreSQL) 17.2')!, parseServerVersion('postgres', '130010')!)
        .fits,
    ).toBe(true);
    const maria = judgeToolFit(
      parseToolVersion('mysqldump  Ver 10.19 Distrib 10.11.6-MariaDB')!,
      parseServerVersion('mysql', '8.0.35')!,
    );
    expect(maria).toMatchObject({ fits: false });
    expect(maria.hint).toMatch(/MySQL's own client 8\.x/);
    const mysql84 = judgeToolFit(
      parseToolVersion('mysqldump  Ver 8.4.3 for Linux')!,
      parseServerVersion('mysql', '8.0.35')!,
    );
    expect(mysql84).toEqual({ fits: true, extraArgs: ['--set-gtid-purged=OFF'] });
  });

  it('runs the real pg_dump against the local PostgreSQL and finds they fit', async () => {
    const config = makeConfig({ databases: { main: { engine: 'postgres', url: PG_ADMIN } } });
    const check = await checkDumpTools('main', config.databases.main!);
    expect(check.tool).toMatch(/^pg_dump \(PostgreSQL\) \d+/);
    expect(check.server).toMatch(/^PostgreSQL \d+$/);
    expect(check.fit.fits).toBe(true);
  });

  it('runs the real mysqldump against the local MySQL/MariaDB and finds they fit', async () => {
    const config = makeConfig({ databases: { erp: { engine: 'mysql', url: MYSQL_ADMIN } } });
    const check = await checkDumpTools('erp', config.databases.erp!);
    expect(check.tool).toMatch(/mysqldump/);
    expect(check.fit.fits).toBe(true);
  });

  it('refuses a dump with a pg_dump older than the real server, before anything runs', async () => {
    const bin = await tempDir();
    const fake = path.join(bin, 'pg_dump');
    // Reports version 12 and would leave a mark if it were ever run to dump.
    await writeFile(
      fake,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 12.9"; exit 0; fi\ntouch ${bin}/ran; exit 1\n`,
    );
    await chmod(fake, 0o755);
    const config = makeConfig({ databases: { main: { engine: 'postgres', url: PG_ADMIN } } });
    const err = await requireDumpTools('main', config.databases.main!, { pg_dump: fake }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'backup_failed' });
    expect((err as Error).message).toMatch(/^Cannot dump "main": pg_dump 12 cannot dump PostgreSQL \d+/);
    expect((err as { hint?: string }).hint).toMatch(/Install postgresql-client-\d+ or newer/);
  });

  it('uses backup_url for the dump connection when it is set', async () => {
    const config = makeConfig({
      databases: {
        main: { engine: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', backup_url: PG_ADMIN },
      },
    });
    await expect(checkDumpTools('main', config.databases.main!)).resolves.toMatchObject({
      fit: { fits: true },
    });
  });
});

describe('backup_url', async () => {
  const { redis } = testRedis('backupurl');
  const source = await scratchPg('bkurl');
  await source.query('CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100)');

  it('is the connection dumps use; url stays the query connection', async () => {
    // url points nowhere: the dump can only succeed through backup_url.
    const config = makeConfig({
      databases: {
        main: { engine: 'postgres', url: 'postgres://ro@127.0.0.1:1/none', backup_url: source.url },
      },
    });
    const ops = createBackupOperations({
      config,
      redis,
      storage: new LocalStorage(await tempDir()),
      do: fakeDo().client,
      audit: new MemoryAudit(),
      clock: new FakeClock(Date.now()),
      log: silentLog,
    });
    const record = await ops.dump({ db: 'main', requestedBy: 'U0ALICE' });
    expect(record.size).toBeGreaterThan(0);
    expect(record.tool).toMatch(/^pg_dump \(PostgreSQL\)/);
  });
});
