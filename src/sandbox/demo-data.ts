import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * A small demo schema in the local PostgreSQL and MySQL/MariaDB, when they can be
 * reached, so /query, /backup and /health have something to work on in the sandbox.
 * Each lives in its own database (`dockside_sandbox`), created on first use.
 */
export interface DemoDatabases {
  postgresUrl?: string;
  /** An empty database that dumps of `main` may be restored into (`restore_target`). */
  postgresScratchUrl?: string;
  mysqlUrl?: string;
  mysqlScratchUrl?: string;
  notes: string[];
}

const PG_ADMIN = process.env.SANDBOX_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_ADMIN = process.env.SANDBOX_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const NAME = 'dockside_sandbox';
/** Where `/backup main restore <dump>` writes in the sandbox: never the demo data itself. */
const SCRATCH = 'dockside_sandbox_scratch';

async function demoPostgres(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 1500 });
  await admin.connect();
  try {
    for (const name of [NAME, SCRATCH]) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN);
  url.pathname = `/${NAME}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    await db.query(`
      CREATE TABLE IF NOT EXISTS customers (
        id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL, phone text, country text,
        created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS orders (
        id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id),
        total_cents int NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO customers (name, email, phone, country)
        SELECT 'Customer ' || g, 'customer' || g || '@example.com', '+49 30 ' || (1000000 + g), (ARRAY['DE','FR','US','JP'])[1 + g % 4]
        FROM generate_series(1, 500) g WHERE NOT EXISTS (SELECT 1 FROM customers);
      INSERT INTO orders (customer_id, total_cents, status)
        SELECT 1 + g % 500, 500 + (g * 37) % 20000, (ARRAY['paid','refunded','open'])[1 + g % 3]
        FROM generate_series(1, 5000) g WHERE NOT EXISTS (SELECT 1 FROM orders);`);
  } finally {
    await db.end();
  }
  return url.toString();
}

async function demoMysql(): Promise<string> {
  const conn = await mysql.createConnection({
    uri: MYSQL_ADMIN,
    connectTimeout: 1500,
    multipleStatements: false,
  });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${NAME}`);
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${SCRATCH}`);
    await conn.query(`CREATE TABLE IF NOT EXISTS ${NAME}.invoices (
      id int AUTO_INCREMENT PRIMARY KEY, number varchar(20) NOT NULL, customer_email varchar(120) NOT NULL,
      amount_cents int NOT NULL, issued_on date NOT NULL)`);
    const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${NAME}.invoices`);
    if (Number((rows as Array<{ n: number }>)[0]?.n ?? 0) === 0) {
      const values = Array.from({ length: 300 }, (_, i) => [
        `INV-${10_000 + i}`,
        `buyer${i}@example.com`,
        1000 + ((i * 53) % 90_000),
        new Date(Date.UTC(2026, 0, 1 + (i % 300))).toISOString().slice(0, 10),
      ]);
      await conn.query(
        `INSERT INTO ${NAME}.invoices (number, customer_email, amount_cents, issued_on) VALUES ?`,
        [values],
      );
    }
  } finally {
    await conn.end();
  }
  const url = new URL(MYSQL_ADMIN);
  url.pathname = `/${NAME}`;
  return url.toString();
}

function withDatabase(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function prepareDemoDatabases(): Promise<DemoDatabases> {
  const out: DemoDatabases = { notes: [] };
  try {
    out.postgresUrl = await demoPostgres();
    out.postgresScratchUrl = withDatabase(PG_ADMIN, SCRATCH);
  } catch {
    out.notes.push(`PostgreSQL not reachable at ${new URL(PG_ADMIN).host}: /query main is not available.`);
  }
  try {
    out.mysqlUrl = await demoMysql();
    out.mysqlScratchUrl = withDatabase(MYSQL_ADMIN, SCRATCH);
  } catch {
    out.notes.push(
      `MySQL/MariaDB not reachable at ${new URL(MYSQL_ADMIN).host}: /query erp is not available.`,
    );
  }
  return out;
}

/** The `databases:` and `backups:` sections for the sandbox's dockside.yml. */
export function demoDatabasesYaml(demo: DemoDatabases, backupDir: string): string {
  const lines = ['databases:'];
  if (demo.postgresUrl) {
    const target = demo.postgresScratchUrl ? ', restore_target: scratch' : '';
    lines.push(
      `  main: { engine: postgres, url: "${demo.postgresUrl}", mask_columns: [email, phone], max_rows: 50, cluster_id: 1c2d3e4f-7a8b-4c90-8da1-b5c6d7e8f905${target} }`,
    );
    if (demo.postgresScratchUrl)
      lines.push(`  scratch: { engine: postgres, url: "${demo.postgresScratchUrl}" }`);
  }
  if (demo.mysqlUrl) {
    const target = demo.mysqlScratchUrl ? ', restore_target: erp_scratch' : '';
    lines.push(
      `  erp: { engine: mysql, url: "${demo.mysqlUrl}", mask_columns: [customer_email], max_rows: 50, cluster_id: 2d3e4f5a-8b9c-4da0-9eb1-c6d7e8f9a006${target} }`,
    );
    if (demo.mysqlScratchUrl) lines.push(`  erp_scratch: { engine: mysql, url: "${demo.mysqlScratchUrl}" }`);
  }
  if (lines.length === 1) lines[0] = 'databases: {}';
  lines.push('backups:', `  destination: { type: local, path: ${backupDir} }`);
  return `${lines.join('\n')}\n`;
}
