import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS, sandboxConfigText } from '../../src/sandbox/config.js';
import { scratchPg } from '../backup/helpers.js';
import { testWorld, waitFor } from '../helpers/world.js';

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/**
 * A large /query result leaves as a CSV file through files.uploadV2: the fake Slack
 * runs getUploadURLExternal, the upload and completeUploadExternal, and the test reads
 * the file that arrived.
 */
describe('/query results too large for a message arrive as a CSV file', async () => {
  const db = await scratchPg('upload');
  const names = Array.from({ length: 120 }, (_, i) =>
    i === 7 ? 'O\'Brien, "Bob"\nsecond line' : `person ${i + 1}`,
  );
  await db.query('CREATE TABLE people (id int primary key, name text, email text)');
  for (const [i, name] of names.entries()) {
    await db.query(
      `INSERT INTO people VALUES (${i + 1}, '${name.replaceAll("'", "''")}', 'p${i + 1}@example.com')`,
    );
  }
  const world = await testWorld({
    config: () =>
      parseConfig(
        `${sandboxConfigText()}
databases:
  main: { engine: postgres, url: "${db.url}", mask_columns: [email], max_rows: 500 }
`,
        {},
      ),
  });

  it('uploads every row, quoted as RFC 4180 says, with masked columns masked', async () => {
    const { slack, driver } = world;
    const before = slack.files.length;
    await driver.command(
      SANDBOX_USERS.carol,
      SANDBOX_CHANNELS.dev,
      '/query',
      'main select * from people order by id',
    );
    const file = await waitFor('the CSV file', () => slack.files[before], 8000);
    expect(file.channel).toBe(SANDBOX_CHANNELS.dev);
    expect(file.filename).toMatch(/^main-.*\.csv$/);
    expect(file.title).toBe('main: 120 rows');
    expect(file.content.length).toBe(file.length);
    const records = parseCsv(file.content.toString('utf8'));
    expect(records[0]).toEqual(['id', 'name', 'email']);
    expect(records.slice(1).map((r) => r[0])).toEqual(names.map((_, i) => String(i + 1)));
    expect(records.slice(1).map((r) => r[1])).toEqual(names);
    const emails = records.slice(1).map((r) => r[2] ?? '');
    expect(emails.filter((e) => e.includes('example.com'))).toEqual([]);
    const calls = slack.calls.map((c) => c.method).filter((m) => m.startsWith('files.'));
    expect(calls).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    expect(slack.refusals).toEqual([]);
  });
});
