import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { renderReference } from './reference.js';
import { Config } from './schema.js';

/** Writes schema/dockside.schema.json for editors and docs/configuration.md for people. */
const schema = z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' });
writeFileSync(
  new URL('../../schema/dockside.schema.json', import.meta.url),
  `${JSON.stringify({ title: 'dockside.yml', ...schema }, null, 2)}\n`,
);
writeFileSync(new URL('../../docs/configuration.md', import.meta.url), renderReference());
console.log('wrote schema/dockside.schema.json and docs/configuration.md');
