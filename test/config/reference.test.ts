import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceRows, renderReference } from '../../src/config/reference.js';

describe('docs/configuration.md', () => {
  it('is the reference generated from the schema (run `npm run schema` after changing it)', () => {
    const shipped = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(shipped).toBe(renderReference());
  });

  it('explains every field: each row has a type and a meaning', () => {
    const rows = referenceRows();
    expect(rows.length).toBeGreaterThan(60);
    const undocumented = rows.filter((r) => !r.description.trim() || !r.type.trim()).map((r) => r.path);
    expect(undocumented).toEqual([]);
    const paths = rows.map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'channels.ops',
        'databases.<name>.backup_url',
        'access.grants[].envs',
        'backups.destination.bucket',
        'schedules.health_summary.timezone',
      ]),
    );
    expect(rows.find((r) => r.path === 'databases.<name>.max_rows')).toMatchObject({
      type: 'whole number 1–100000',
      default: '`200`',
    });
  });
});
