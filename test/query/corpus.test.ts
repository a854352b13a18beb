import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryCommand } from '../../commands/query.js';
import { createDatabasePools, type DatabasePools } from '../../src/db/pools.js';
import { isDocksideError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { type Attempt, MYSQL_ATTEMPTS, POSTGRES_ATTEMPTS } from './corpus.js';
import { createFixture, type Engine, type Fixture } from './fixtures.js';
import { fakeContext } from './helpers.js';

/**
 * The whole path (parse, statement check, read-only transaction, timeout) with a user
 * that CAN write, as a careless config would have it: nothing in the corpus may change
 * the fixture, and each attempt is told which rule refused it.
 */
const CASES: Array<[Engine, Attempt[]]> = [
  ['postgres', POSTGRES_ATTEMPTS],
  ['mysql', MYSQL_ATTEMPTS],
];

describe.each(CASES)('write and escape attempts on %s through /query', (engine, attempts) => {
  let fx: Fixture;
  let pools: DatabasePools;
  let before: string;

  beforeAll(async () => {
    fx = await createFixture(engine);
    pools = createDatabasePools({ prod: fx.dbConfig() }, createLogger({ level: 'silent' }));
    before = await fx.checksum();
  });
  afterAll(async () => {
    await pools?.close();
    await fx?.drop();
  });

  it.each(attempts.map((a) => [a.sql, a.rule] as const))('refuses %j (%s)', async (sql) => {
    const text = `prod ${sql}`;
    const f = fakeContext({ prod: fx.dbConfig() }, text);
    const cmd = queryCommand({ pools });
    const err = await cmd.run(f.ctx, cmd.parse(text, f.config)).catch((e: unknown) => e);
    expect(isDocksideError(err, 'query_refused')).toBe(true);
    expect((err as Error).message).toMatch(/^Refused by the statement check \(rule: [^)]+\): .{10,}/);
    expect(f.posted).toHaveLength(0);
    expect(f.uploads).toHaveLength(0);
  });

  it('leaves the fixture data, schema and grants unchanged', async () => {
    expect(await fx.checksum()).toBe(before);
    // The pool still answers: refusals did not leave a connection in a bad state.
    const f = fakeContext({ prod: fx.dbConfig() }, 'prod SELECT count(*) AS n FROM users');
    const cmd = queryCommand({ pools });
    const outcome = await cmd.run(f.ctx, cmd.parse('prod SELECT count(*) AS n FROM users', f.config));
    expect(outcome?.data).toMatchObject({ rows: 1 });
  });
});
