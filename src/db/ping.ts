import { acquireMysql, acquirePg, type DatabasePools, mysqlQuery } from './pools.js';

/** Connects to a configured database and runs a trivial query; throws when it cannot. */
export async function pingDatabase(pools: DatabasePools, name: string): Promise<void> {
  const db = pools.get(name);
  if (db.engine === 'postgres') {
    const client = await acquirePg(db);
    try {
      await client.query('SELECT 1');
    } finally {
      client.release();
    }
    return;
  }
  const conn = await acquireMysql(db);
  try {
    await mysqlQuery(conn, 'SELECT 1');
  } finally {
    conn.release();
  }
}
