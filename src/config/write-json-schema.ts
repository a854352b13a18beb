import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { Config } from './schema.js';

/** Writes schema/dockside.schema.json for editors (yaml-language-server: $schema=...). */
const schema = z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' });
writeFileSync(
  new URL('../../schema/dockside.schema.json', import.meta.url),
  `${JSON.stringify({ title: 'dockside.yml', ...schema }, null, 2)}\n`,
);
console.log('wrote schema/dockside.schema.json');
