import { benchBackup } from './backup.js';
import { benchDroplet } from './droplet.js';
import { benchHealth } from './health.js';
import { benchOob } from './oob.js';
import { benchQuery } from './query.js';
import { benchSlack } from './slack.js';

/**
 * `npm run bench [-- slack query health backup droplet oob]`: each case prints its figures next
 * to a baseline measured in the same run, and PASS/FAIL against its target.
 */
const cases: Record<string, () => Promise<unknown>> = {
  slack: () => benchSlack(),
  query: () => benchQuery(),
  health: () => benchHealth(),
  backup: () => benchBackup(),
  droplet: () => benchDroplet(),
  oob: () => benchOob(),
};
const wanted = process.argv.slice(2).filter((a) => a in cases);
for (const name of wanted.length > 0 ? wanted : Object.keys(cases)) {
  console.log(`\n=== bench: ${name}`);
  await cases[name]?.();
}
process.exit(0);
