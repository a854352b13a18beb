import { parse } from 'libpg-query';
import mysql from 'mysql2/promise';
import nodeSqlParser from 'node-sql-parser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalMysql } from '../../handlers/query/lexer-mysql.js';
import { splitPostgres } from '../../handlers/query/lexer-postgres.js';
import { QueryRefusedError } from '../../handlers/query/refuse.js';

/**
 * Differential test of dockside's lexers against the real servers. For each text the
 * server prepares the original and the text dockside would send (comments removed,
 * canonical quoting): both must have the same columns and values, and the parser the
 * guard uses must see as many output columns in dockside's text as the server sees in
 * the original. Any disagreement on a comment, a quote or an escape fails here.
 */

const MYSQL_CORPUS = [
  'SELECT 1 --1, 2',
  'SELECT 1 -- 1, 2\n, 3',
  'SELECT 1 --\t1, 2\n, 3',
  'SELECT 1 --\x01 1, 2\n, 3',
  'SELECT 1 --\r, 2\n, 3',
  'SELECT 1 #, 2\n, 3',
  'SELECT 1 /* , 2 */, 3',
  'SELECT 1 /*/ , 2 */, 3',
  'SELECT 2 /* multi\nline */ + 3',
  "SELECT 'a''b', 'c\\'d', \"e\\\"f\", 'g--h', 'i#j', '/*k*/'",
  "SELECT 'a\\\\', 2",
  "SELECT \"it''s\", 'x' 'y'",
  'SELECT `a``b` FROM (SELECT 1 AS `a``b`) t',
  'SELECT 1-1, 1--1, 1- -1, 1---1',
  "SELECT x'41', X'4142', 0x41, b'01', 0b11, N'z'",
  'SELECT 1.5e3, .5, 3e-2',
  "SELECT '\\%', '\\_', '\\n', '\\z'",
  'SELECT 1--',
  'SELECT 1 -- last',
  "SELECT 'a' -- comment with 'quote\n, 'b'",
  "SELECT 'a' # it's\n, 'b'",
  'SELECT 1 /**/, 2',
  "SELECT '--', '#', 4",
  'SELECT 1*-1, 2/-1, 3 - - -1',
  'SELECT "double ""quoted"" string"',
];

const PG_CORPUS = [
  'SELECT 1 --1, 2',
  'SELECT 1 --1\n, 2',
  'SELECT 1 /* /* nested */ , 2 */, 3',
  'SELECT $$a--b$$, $x$ $$ /* $x$, 2',
  "SELECT E'a\\'b', 'c''d', U&'\\0041', B'101', X'1F'",
  "SELECT 'a'\n'b'",
  "SELECT 'a' -- x\n'b'",
  'SELECT "a""b" FROM (SELECT 1 AS "a""b") t',
  'SELECT 1 - -1, 2--1\n, 3',
  'SELECT 2 /**/+/**/3',
  "SELECT '/* not a comment */', '--', 5",
  "SELECT 'back\\slash', E'\\\\'",
  'SELECT 1 /* a -- b */, 2',
  "SELECT $a$it's$a$, $$--$$",
  'SELECT 1 AS "--x", \'$$\' AS d',
];

const nsp = new nodeSqlParser.Parser();

describe('MySQL/MariaDB lexer against the server', () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
    // The session dockside's pool sets: backslash escapes on, ANSI_QUOTES off.
    await conn.query("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
  });
  afterAll(async () => {
    await conn?.end();
  });

  async function serverView(sql: string): Promise<{ columns: number; rows: unknown }> {
    // execute() is COM_STMT_PREPARE then COM_STMT_EXECUTE: the server's own parse of the text.
    const [rows, fields] = await conn.execute({ sql, rowsAsArray: true });
    return { columns: fields.length, rows: JSON.parse(JSON.stringify(rows)) };
  }

  it.each(MYSQL_CORPUS)('reads %j as the server does', async (sql) => {
    const texts = canonicalMysql(sql);
    expect(texts).toHaveLength(1);
    const sent = texts[0] ?? '';
    const original = await serverView(sql);
    const ours = await serverView(sent);
    expect(ours).toEqual(original);
    // The guard's parser sees the same number of output columns in what is sent.
    const ast = nsp.astify(sent, { database: 'MariaDB' }) as unknown as { columns: unknown[] };
    expect(ast.columns).toHaveLength(original.columns);
  });

  it('refuses executable comments and hints wherever the server would run them', () => {
    for (const sql of [
      'SELECT 1 /*! , 2 */',
      'SELECT 1 /*M!100000 , 2 */',
      'SELECT /*+ MAX_EXECUTION_TIME(1) */ 1',
    ]) {
      expect(() => canonicalMysql(sql)).toThrow(QueryRefusedError);
    }
    // Inside a string it is text.
    expect(canonicalMysql("SELECT '/*! not run */'")).toEqual(["SELECT '/*! not run */'"]);
  });

  it('refuses what parsers read differently from the server', () => {
    for (const sql of ["SELECT _utf8mb4'x'", 'SELECT 1abc FROM t', 'SELECT ? FROM t', "SELECT 'open"]) {
      expect(() => canonicalMysql(sql)).toThrow(QueryRefusedError);
    }
  });
});

describe('PostgreSQL lexer against the server', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  async function serverView(sql: string): Promise<{ columns: number; rows: unknown[] }> {
    // PREPARE parses exactly as a query would; EXECUTE runs the constants.
    await client.query(`PREPARE dockside_diff AS ${sql}`);
    try {
      const res = await client.query({ text: 'EXECUTE dockside_diff', rowMode: 'array' });
      return { columns: res.fields.length, rows: res.rows };
    } finally {
      await client.query('DEALLOCATE dockside_diff');
    }
  }

  it.each(PG_CORPUS)('reads %j as the server does', async (sql) => {
    const texts = splitPostgres(sql);
    expect(texts).toHaveLength(1);
    const sent = texts[0] ?? '';
    const original = await serverView(sql.includes('--') ? `${sql}\n` : sql);
    const ours = await serverView(sent);
    expect(ours).toEqual(original);
    const tree = (await parse(sent)) as { stmts: Array<{ stmt: { SelectStmt: { targetList: unknown[] } } }> };
    expect(tree.stmts[0]?.stmt.SelectStmt.targetList).toHaveLength(original.columns);
  });

  it('splits statements only where the server does', () => {
    expect(splitPostgres("SELECT ';'; SELECT $$;$$ -- ;\n")).toEqual(["SELECT ';'", 'SELECT $$;$$']);
    expect(splitPostgres('SELECT 1 /* ; /* ; */ ; */')).toEqual(['SELECT 1']);
    expect(() => splitPostgres('SELECT 1 /* /* */')).toThrow(QueryRefusedError);
  });
});
