import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config/schema.js';
import { createDatabasePools, type DatabasePools } from '../../src/db/pools.js';
import { createLogger } from '../../src/logger.js';
import { attempt, leaked } from './attempt.js';
import { createFixture, type Engine, type Fixture } from './fixtures.js';

/** Everyday reads still work under the stricter rules, with masks configured. */
const COMMON = [
  'SELECT u.name, o.total FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.total DESC',
  'SELECT u.name, count(o.id) AS orders FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.name ORDER BY 2 DESC',
  'WITH recent AS (SELECT user_id, total FROM orders WHERE total > 5) SELECT r.user_id, sum(r.total) FROM recent r GROUP BY r.user_id',
  'SELECT id, name, row_number() OVER (ORDER BY created_at DESC) AS rn, lag(id) OVER (PARTITION BY name ORDER BY id) FROM users',
  'SELECT n, sum(n) OVER (ORDER BY n ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM big WHERE n <= 10',
  'EXPLAIN SELECT * FROM users WHERE id = 1',
  'SELECT id, email, phone FROM users ORDER BY id',
  'SELECT count(*) AS n, count(email) AS with_email FROM users WHERE email IS NOT NULL',
  "SELECT upper(name), length(name), coalesce(note, '-') FROM users LEFT JOIN orders ON orders.user_id = users.id",
  'SELECT DISTINCT name FROM users',
  "SELECT name FROM users WHERE name LIKE 'A%' UNION SELECT label FROM big WHERE n < 3",
  'SELECT * FROM users WHERE id IN (SELECT user_id FROM orders) ORDER BY id LIMIT 5',
];

const EXTRA: Record<Engine, string[]> = {
  postgres: [
    `SELECT '{"a": {"b": 2}}'::jsonb -> 'a' ->> 'b' AS b, jsonb_build_object('n', name) FROM users`,
    "SELECT date_trunc('day', created_at), extract(year FROM created_at), now() - created_at > interval '1 day' FROM users",
    'EXPLAIN ANALYZE SELECT count(*) FROM big',
    'SHOW statement_timeout',
    'TABLE orders',
    'VALUES (1, 2), (3, 4)',
    "SELECT string_agg(name, ', ' ORDER BY name), array_agg(id) FROM users",
    'SELECT g, g * 2 AS double FROM generate_series(1, 5) g',
  ],
  mysql: [
    `SELECT JSON_EXTRACT('{"a": {"b": 2}}', '$.a.b') AS b, JSON_OBJECT('n', name) FROM users`,
    "SELECT DATE_FORMAT(created_at, '%Y-%m'), YEAR(created_at), DATEDIFF(NOW(), created_at) FROM users",
    'SHOW TABLES',
    'DESCRIBE users',
    "SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ', '), IFNULL(NULL, 1) FROM users",
  ],
};

describe.each<Engine>(['postgres', 'mysql'])('legitimate reads on %s', (engine) => {
  let fx: Fixture;
  let pools: DatabasePools;
  let databases: Record<string, DatabaseConfig>;
  beforeAll(async () => {
    fx = await createFixture(engine);
    databases = { main: fx.dbConfig({ url: fx.readOnlyUrl }) };
    pools = createDatabasePools(databases, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await pools?.close();
    await fx?.drop();
  });

  it('keeps the order the statement asks for', async () => {
    for (const sql of [
      'SELECT n FROM big WHERE n <= 5 ORDER BY n DESC',
      'WITH t AS (SELECT n FROM big WHERE n <= 5) SELECT n FROM t ORDER BY n DESC',
      'SELECT u.name FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.total DESC',
    ]) {
      const seen = await attempt(pools, databases, `main ${sql}`);
      expect(seen.code).toBe('ok');
      const body = seen.shown.replace(/\\n/g, '\n');
      if (sql.includes('big')) expect(body).toMatch(/5\n4\n3\n2\n1/);
      else expect(body).toMatch(/Grace\n.*Ada/s);
    }
  });

  it.each([...COMMON, ...EXTRA[engine], 'tables', 'counts', 'describe users'])('%s', async (sql) => {
    const seen = await attempt(pools, databases, `main ${sql}`);
    expect(seen.shown).not.toMatch(/Refused|SQLSTATE|error/i);
    expect(seen.code).toBe('ok');
    expect(leaked(seen)).toEqual([]);
    // Nothing here selects a masked column, so nothing is shown masked.
    if (!/email|phone|\*|describe|TABLE /.test(sql)) expect(seen.shown).not.toContain('[masked]');
  });
});
