import { createHash, randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DatabaseConfig } from '../../src/config/schema.js';

/**
 * A database of its own per test file, with sensitive columns, a big table for capping,
 * and a read-only user, dropped afterwards. Root connections are for setup and the
 * checksum only; the code under test connects with the URLs returned.
 */
export type Engine = 'postgres' | 'mysql';

export interface Fixture {
  engine: Engine;
  name: string;
  /** Connects as the admin user (can write): what a careless config would hold. */
  adminUrl: string;
  /** Connects as a user with SELECT only. */
  readOnlyUrl: string;
  dbConfig(overrides?: Partial<DatabaseConfig>): DatabaseConfig;
  /** Runs a query as the admin user and returns its rows as arrays of text. */
  adminRows(sql: string): Promise<unknown[][]>;
  /** Hash over every table's rows, the table list and sequence state. */
  checksum(): Promise<string>;
  /** Runs admin SQL (setup in tests). */
  admin(sql: string): Promise<void>;
  drop(): Promise<void>;
}

const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432';
const MY_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root' };

const USERS = [
  [1, 'Ada', 'ada@example.com', '+44 20 7946 0001', 'hash-ada'],
  [2, 'Grace', 'grace@example.com', '+1 202 555 0102', 'hash-grace'],
  [3, 'Linus', null, '+358 9 000 0003', 'hash-linus'],
] as const;

function rand(): string {
  return randomBytes(4).toString('hex');
}

export const BIG_ROWS = 1000;

async function pgFixture(): Promise<Fixture> {
  const name = `dq_${rand()}`;
  const ro = `dq_ro_${rand()}`;
  const password = `pw_${rand()}${rand()}`;
  const root = new pg.Client({ connectionString: `${PG_ADMIN}/test` });
  await root.connect();
  await root.query(`CREATE DATABASE ${name}`);
  await root.query(`CREATE ROLE ${ro} LOGIN PASSWORD '${password}'`);
  await root.end();
  const db = new pg.Client({ connectionString: `${PG_ADMIN}/${name}` });
  await db.connect();
  await db.query(`
    CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text, phone text, password_hash text,
                        avatar bytea, created_at timestamptz DEFAULT '2024-01-02 03:04:05+00');
    CREATE INDEX users_email_idx ON users (email);
    CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users(id), total numeric(10,2), note text);
    CREATE TABLE big (n int PRIMARY KEY, label text);
    CREATE SEQUENCE counter;
    INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, ${BIG_ROWS}) g;
    ANALYZE;
    GRANT CONNECT ON DATABASE ${name} TO ${ro};
    GRANT USAGE ON SCHEMA public TO ${ro};
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ro};
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;`);
  for (const u of USERS) {
    await db.query(
      'INSERT INTO users (id, name, email, phone, password_hash, avatar) VALUES ($1,$2,$3,$4,$5,$6)',
      [...u, Buffer.alloc(u[0] * 100, 1)],
    );
  }
  await db.query(`INSERT INTO orders (user_id, total, note) VALUES (1, 10.50, 'first'), (2, 99.99, NULL)`);
  return {
    engine: 'postgres',
    name,
    adminUrl: `${PG_ADMIN}/${name}`,
    readOnlyUrl: `postgres://${ro}:${password}@127.0.0.1:5432/${name}`,
    dbConfig: (o = {}) =>
      DatabaseConfig.parse({
        engine: 'postgres',
        url: `${PG_ADMIN}/${name}`,
        mask_columns: ['email', 'phone', 'password_hash'],
        max_rows: 200,
        statement_timeout_ms: 2000,
        ...o,
      }),
    async adminRows(sql) {
      return (await db.query({ text: sql, rowMode: 'array' })).rows;
    },
    async checksum() {
      const h = createHash('sha256');
      const tables = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') ORDER BY 1`,
      );
      for (const { table_name } of tables.rows as Array<{ table_name: string }>) {
        h.update(table_name);
        const rows = await db.query(`SELECT t::text AS r FROM "${table_name}" t ORDER BY 1`);
        for (const r of rows.rows as Array<{ r: string }>) h.update(r.r);
      }
      const seq = await db.query('SELECT last_value::text, is_called::text FROM counter');
      h.update(JSON.stringify(seq.rows));
      // Only this fixture's role: other test files create and drop roles at the same time.
      const roles = await db.query(
        `SELECT r.*, ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid) AS member_of FROM pg_roles r WHERE rolname = $1`,
        [ro],
      );
      h.update(JSON.stringify(roles.rows));
      return h.digest('hex');
    },
    async admin(sql) {
      await db.query(sql);
    },
    async drop() {
      await db.end();
      const r = new pg.Client({ connectionString: `${PG_ADMIN}/test` });
      await r.connect();
      await r.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await r.query(`DROP ROLE IF EXISTS ${ro}`);
      await r.end();
    },
  };
}

async function mysqlFixture(): Promise<Fixture> {
  const name = `dq_${rand()}`;
  const ro = `dq_ro_${rand()}`;
  const password = `pw_${rand()}${rand()}`;
  const db = await mysql.createConnection({ ...MY_ADMIN, multipleStatements: true });
  await db.query(`CREATE DATABASE ${name}; USE ${name};
    CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, email VARCHAR(100), phone VARCHAR(40),
                        password_hash VARCHAR(100), avatar BLOB, created_at DATETIME DEFAULT '2024-01-02 03:04:05',
                        INDEX users_email_idx (email));
    CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, total DECIMAL(10,2), note TEXT);
    CREATE TABLE big (n INT PRIMARY KEY, label VARCHAR(20));
    INSERT INTO big SELECT seq, CONCAT('row ', seq) FROM seq_1_to_${BIG_ROWS};
    CREATE USER '${ro}'@'%' IDENTIFIED BY '${password}';
    GRANT SELECT ON ${name}.* TO '${ro}'@'%';`);
  for (const u of USERS) {
    await db.query('INSERT INTO users (id, name, email, phone, password_hash, avatar) VALUES (?,?,?,?,?,?)', [
      ...u,
      Buffer.alloc(u[0] * 100, 1),
    ]);
  }
  await db.query(`INSERT INTO orders (user_id, total, note) VALUES (1, 10.50, 'first'), (2, 99.99, NULL)`);
  return {
    engine: 'mysql',
    name,
    adminUrl: `mysql://root@127.0.0.1:3306/${name}`,
    readOnlyUrl: `mysql://${ro}:${password}@127.0.0.1:3306/${name}`,
    dbConfig: (o = {}) =>
      DatabaseConfig.parse({
        engine: 'mysql',
        url: `mysql://root@127.0.0.1:3306/${name}`,
        mask_columns: ['email', 'phone', 'password_hash'],
        max_rows: 200,
        statement_timeout_ms: 2000,
        ...o,
      }),
    async adminRows(sql) {
      await db.query(`USE ${name}`);
      const [rows] = await db.query({ sql, rowsAsArray: true });
      return rows as unknown[][];
    },
    async checksum() {
      const h = createHash('sha256');
      const [tables] = await db.query(
        `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1`,
        [name],
      );
      for (const { t } of tables as Array<{ t: string }>) {
        h.update(t);
        const [rows] = await db.query(`SELECT * FROM \`${name}\`.\`${t}\` ORDER BY 1`);
        h.update(JSON.stringify(rows));
      }
      const [routines] = await db.query(
        `SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
        [name],
      );
      h.update(JSON.stringify(routines));
      const [users] = await db.query(`SHOW GRANTS FOR '${ro}'@'%'`);
      h.update(JSON.stringify(users));
      return h.digest('hex');
    },
    async admin(sql) {
      await db.query(`USE ${name}`);
      await db.query(sql);
    },
    async drop() {
      await db.query(`DROP DATABASE IF EXISTS ${name}; DROP USER IF EXISTS '${ro}'@'%'`);
      await db.end();
    },
  };
}

export function createFixture(engine: Engine): Promise<Fixture> {
  return engine === 'postgres' ? pgFixture() : mysqlFixture();
}
