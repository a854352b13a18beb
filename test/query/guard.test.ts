import { describe, expect, it } from 'vitest';
import { checkMysql } from '../../handlers/query/guard-mysql.js';
import { checkPostgres } from '../../handlers/query/guard-postgres.js';
import { maskedColumns } from '../../handlers/query/mask.js';
import { QueryRefusedError } from '../../handlers/query/refuse.js';
import type { GuardOptions } from '../../handlers/query/types.js';
import { isDocksideError } from '../../src/errors.js';
import { MYSQL_ATTEMPTS, POSTGRES_ATTEMPTS } from './corpus.js';

const MASK: GuardOptions = {
  database: 'main',
  maskColumns: ['email', 'phone'],
  allowFunctions: [],
  maskPredicates: 'refuse',
};

async function ruleOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof QueryRefusedError) return err.rule;
    throw err;
  }
  return 'accepted';
}

describe('statement check (layer 1) on its own', () => {
  it('has at least 60 attempts across both dialects', () => {
    expect(POSTGRES_ATTEMPTS.length + MYSQL_ATTEMPTS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(POSTGRES_ATTEMPTS.map((a) => [a.sql, a.rule]))(
    'PostgreSQL refuses %j by rule %s',
    async (sql, rule) => {
      expect(await ruleOf(() => checkPostgres(sql, MASK))).toBe(rule);
    },
  );

  it.each(MYSQL_ATTEMPTS.map((a) => [a.sql, a.rule]))('MySQL refuses %j by rule %s', async (sql, rule) => {
    expect(await ruleOf(() => checkMysql(sql, MASK))).toBe(rule);
  });

  it('names the rule and the statement kind in the message', async () => {
    const err = await checkPostgres('UPDATE users SET name = 1', MASK).catch((e: unknown) => e);
    expect(isDocksideError(err, 'query_refused')).toBe(true);
    expect((err as Error).message).toBe(
      'Refused by the statement check (rule: read statements only): this is an UPDATE statement, not a read.',
    );
    const fn = await ruleOf(() => checkMysql("SELECT LOAD_FILE('/etc/passwd')", MASK));
    expect(fn).toBe('side-effect-function');
  });

  it.each([
    'SELECT * FROM users',
    'select id, name from users where email is not null order by id limit 5',
    'WITH x AS (SELECT id FROM users) SELECT * FROM x',
    'EXPLAIN SELECT * FROM users',
    'EXPLAIN ANALYZE SELECT 1',
    'SHOW statement_timeout',
    'VALUES (1), (2)',
    'TABLE users',
    'SELECT pg_sleep(0.1)',
    "SELECT 'DELETE FROM users; DROP TABLE x' AS harmless_text",
  ])('PostgreSQL accepts the read %j', async (sql) => {
    expect(await ruleOf(() => checkPostgres(sql, MASK))).toBe('accepted');
  });

  it.each([
    'SELECT * FROM users',
    'WITH x AS (SELECT id FROM users) SELECT * FROM x',
    'EXPLAIN SELECT * FROM users',
    'SHOW TABLES',
    'DESCRIBE users',
    'SELECT SLEEP(0.1)',
    "SELECT 'DELETE FROM users; DROP TABLE x' AS harmless_text",
    'SELECT 1;',
  ])('MySQL accepts the read %j', async (sql) => {
    expect(await ruleOf(() => checkMysql(sql, MASK))).toBe('accepted');
  });

  it('shows PostgreSQL syntax errors with the server message and position', async () => {
    const err = await checkPostgres('SELECT * FORM users', MASK).catch((e: unknown) => e);
    expect(isDocksideError(err, 'query_failed')).toBe(true);
    expect((err as Error).message).toBe('syntax error at or near "FORM" (at position 10)');
    expect((err as { hint?: string }).hint).toContain('SELECT * FORM users\n         ^');
  });

  it('keeps only the statement text (no trailing semicolon) for the cursor', async () => {
    const checked = await checkPostgres("  SELECT 'é' AS e ;  ", MASK);
    expect(checked.sql).toBe("SELECT 'é' AS e");
  });
});

async function maskOf(engine: 'pg' | 'my', sql: string, resultNames: string[]): Promise<string[]> {
  // Expressions over masked columns are only accepted with mask_predicates: allow.
  const options: GuardOptions = { ...MASK, maskPredicates: 'allow' };
  const plan = engine === 'pg' ? await checkPostgres(sql, options) : checkMysql(sql, options);
  const columns = resultNames.map((name) => ({ name, origin: null }));
  const flags = maskedColumns(columns, plan.mask, MASK.maskColumns);
  return resultNames.filter((_, i) => flags[i]);
}

describe('masking plan', () => {
  it.each(['pg', 'my'] as const)('%s: follows aliases, expressions and positions', async (e) => {
    expect(await maskOf(e, 'SELECT u.email AS e, u.name FROM users u', ['e', 'name'])).toEqual(['e']);
    expect(await maskOf(e, 'SELECT lower(phone), id FROM users', ['lower', 'id'])).toEqual(['lower']);
    expect(await maskOf(e, 'SELECT EMAIL FROM users', ['EMAIL'])).toEqual(['EMAIL']);
    expect(await maskOf(e, 'SELECT * FROM users', ['id', 'Email', 'phone'])).toEqual(['Email', 'phone']);
    expect(await maskOf(e, 'SELECT e FROM (SELECT email AS e FROM users) s', ['e'])).toEqual(['e']);
    // PostgreSQL: without the row description's word that `id` is a plain table column,
    // `*` over a derived table that outputs masked data masks every column. MySQL: every
    // output of the derived table has a name, so names decide.
    expect(
      await maskOf(e, 'SELECT * FROM (SELECT email AS contact, id FROM users) s', ['contact', 'id']),
    ).toEqual(e === 'pg' ? ['contact', 'id'] : ['contact']);
    expect(await maskOf(e, 'SELECT name FROM orders UNION SELECT email FROM users', ['name'])).toEqual([
      'name',
    ]);
    expect(await maskOf(e, 'WITH x(c) AS (SELECT email FROM users) SELECT * FROM x', ['c'])).toEqual(['c']);
    expect(await maskOf(e, 'SELECT count(*) AS n, name FROM users GROUP BY name', ['n', 'name'])).toEqual([]);
  });

  it('pg: whole-row references carry masked columns', async () => {
    expect(await maskOf('pg', 'SELECT row_to_json(u) AS j, u.id FROM users u', ['j', 'id'])).toEqual(['j']);
    expect(await maskOf('pg', 'SELECT to_jsonb(u.*) FROM users u', ['to_jsonb'])).toEqual(['to_jsonb']);
    expect(await maskOf('pg', 'SELECT (SELECT email FROM users LIMIT 1) AS x', ['x'])).toEqual(['x']);
  });
});
