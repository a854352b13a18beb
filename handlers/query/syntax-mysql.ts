import { acquireMysql, type MysqlDatabase } from '../../src/db/pools.js';
import { DocksideError } from '../../src/errors.js';
import { escapeText } from '../../src/render/format.js';
import { scrub } from '../../src/secrets.js';
import type { MysqlParseError } from './guard-mysql.js';

const ER_PARSE_ERROR = 1064;

/**
 * When the MySQL grammar cannot read a statement, the server's own syntax message is
 * wanted. COM_STMT_PREPARE parses (and resolves names) without executing anything, so
 * the statement is prepared, never run, and closed again.
 */
export async function explainMysqlParseError(
  db: MysqlDatabase,
  sql: string,
  parseError: MysqlParseError,
): Promise<never> {
  const conn = await acquireMysql(db);
  let serverMessage: string | null = null;
  // Only a syntax error is the server's answer to "what is wrong with this text"; other
  // prepare errors (unsupported in prepared statements, unknown table) say nothing about it.
  try {
    await new Promise<void>((resolve) =>
      conn.prepare(sql, (err, statement) => {
        if (err && (err as { errno?: number }).errno === ER_PARSE_ERROR) serverMessage = err.message;
        else if (!err) statement.close();
        resolve();
      }),
    );
  } finally {
    conn.release();
  }
  if (serverMessage !== null)
    throw new DocksideError('query_failed', escapeText(scrub(serverMessage)), { cause: parseError });
  // The server understands it but the check cannot: not run, with the parser's reason.
  throw parseError;
}
