import { describe, expect, it } from 'vitest';
import { queryCommand } from '../../commands/query.js';
import { csvLine } from '../../handlers/query/render-csv.js';
import { codeBlocks, tableLines } from '../../handlers/query/render-table.js';
import { DatabaseConfig } from '../../src/config/schema.js';
import { createDatabasePools } from '../../src/db/pools.js';
import { isDocksideError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { renderQueryResult } from '../../src/render/query.js';
import { fakeContext } from './helpers.js';
import { collectFor } from './render-helpers.js';

const databases = {
  main: DatabaseConfig.parse({ engine: 'postgres', url: 'postgres://u:p4ssw0rd!@127.0.0.1:1/app' }),
};
const LIMITS = { maxRows: 200, maxCellBytes: 16_384, maxResultBytes: 16 * 1024 * 1024 };
const cmd = queryCommand({ pools: createDatabasePools(databases, createLogger({ level: 'silent' })) });
const { config } = fakeContext(databases, '');

describe('/query parsing', () => {
  it('decodes what Slack escapes and unwraps code spans and blocks', () => {
    expect(
      cmd.parse(
        'main SELECT * FROM t WHERE a &lt; 3 AND b &gt; 1 AND c = &#39;x&#39; &amp;&amp; true',
        config,
      ),
    ).toEqual({
      database: 'main',
      kind: 'sql',
      sql: 'SELECT * FROM t WHERE a < 3 AND b > 1 AND c = &#39;x&#39; && true',
    });
    expect(cmd.parse('main ```sql\nSELECT 1\n```', config)).toEqual({
      database: 'main',
      kind: 'sql',
      sql: 'SELECT 1',
    });
    expect(cmd.parse('main `SELECT ‘a’`', config)).toEqual({
      database: 'main',
      kind: 'sql',
      sql: "SELECT 'a'",
    });
  });

  it('recognises tables, counts and describe', () => {
    expect(cmd.parse('main tables', config)).toEqual({ database: 'main', kind: 'tables' });
    expect(cmd.parse('main COUNTS', config)).toEqual({ database: 'main', kind: 'counts' });
    expect(cmd.parse('main describe billing.invoices', config)).toEqual({
      database: 'main',
      kind: 'describe',
      table: 'billing.invoices',
    });
    expect(() => cmd.parse('main describe a;drop', config)).toThrow(/is not a table name/);
  });

  it('rejects a missing query, an unknown database and gives the usage line', () => {
    let noSql: unknown;
    try {
      cmd.parse('main', config);
    } catch (e) {
      noSql = e;
    }
    expect(isDocksideError(noSql, 'usage')).toBe(true);
    expect((noSql as { hint?: string }).hint).toBe('Usage: `/query &lt;db&gt; &lt;select...&gt;`');
    expect(() => cmd.parse('', config)).toThrow(/Name a database/);
    expect(() => cmd.parse('nope SELECT 1', config)).toThrow(/There is no database `nope`/);
  });

  it('asks for the query grant on the database and audits the database as target', () => {
    const args = cmd.parse('main SELECT 1', config);
    expect(cmd.access(args)).toEqual({ action: 'query', database: 'main' });
    expect(cmd.target(args)).toEqual({ database: 'main' });
    expect(cmd.audited).toBe(true);
  });
});

describe('result rendering', () => {
  it('aligns columns, shows NULL and binary sizes, cuts long values and escapes Slack markup', () => {
    const lines = tableLines(
      ['id', 'note', 'blob'],
      [
        ['1', null, { binaryBytes: 2048 }],
        ['22', `<!channel> ${'x'.repeat(80)}`, { binaryBytes: 1 }],
      ],
      { maxCellWidth: 20 },
    );
    expect(lines).toEqual([
      'id | note                 | blob',
      '---+----------------------+----------------',
      '1  | NULL                 | <binary 2.0 KB>',
      '22 | <!channel> xxxxxxxx… | <binary 1 byte>',
    ]);
    const [block] = codeBlocks(['a ```b``` <@U1>'], 2900);
    expect(block).toBe('```a ˋˋˋbˋˋˋ &lt;@U1&gt;```');
  });

  it('writes RFC 4180 CSV with NULL empty and empty string quoted', () => {
    expect(csvLine(['a,b', 'say "hi"', null, '', 'line\nbreak', { binaryBytes: 3 }])).toBe(
      '"a,b","say ""hi""",,"","line\nbreak",<binary 3 bytes>\r\n',
    );
  });

  it('keeps small results inline and sends larger ones as CSV with a preview', () => {
    const small = renderQueryResult(collectFor(3), LIMITS, new Date(0));
    expect(small.file).toBeUndefined();
    expect(small.message.text).toBe('*main* · 3 rows in 12 ms');
    const big = renderQueryResult(collectFor(120), LIMITS, new Date(0));
    expect(big.file?.filename).toBe('main-1970-01-01T00-00-00-000Z.csv');
    expect(big.file?.initialComment).toContain('First 10 rows; all 120 rows in the CSV file:');
    expect(big.file?.initialComment?.split('\n').filter((l) => /^\d+ +\|/.test(l))).toHaveLength(10);
  });
});
