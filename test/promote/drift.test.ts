import { describe, expect, it } from 'vitest';
import { costDrift, specDrift } from '../../handlers/promote/drift.js';
import type { AppOpsClient, Proposal } from '../../src/do/app-ops-port.js';
import type { AppSpec } from '../../src/do/port.js';
import { DocksideError } from '../../src/errors.js';
import { describeDrift } from '../../src/render/promote-drift.js';

const spec = (over: Partial<AppSpec> = {}): AppSpec => ({
  name: 'web',
  services: [
    { name: 'web', instance_size_slug: 'basic-xxs', instance_count: 1, envs: [{ key: 'A', value: '1' }] },
  ],
  ...over,
});

describe('spec drift between two envs', () => {
  it('finds nothing when only what promotion carries differs', () => {
    const a = spec();
    const b = spec({
      services: [{ ...a.services?.[0], name: 'web', github: { repo: 'x', branch: 'prod' } }],
    });
    const items = specDrift({ env: 'staging', spec: a }, { env: 'production', spec: b });
    expect(items).toEqual([]);
    expect(describeDrift(items, 'staging', 'production')).toEqual([
      'Besides the builds, the staging and production specs do not differ in env var keys, instances or jobs.',
    ]);
  });

  it('compares autoscaling, skips static sites for instances, and names keys without values', () => {
    const a = spec({
      workers: [{ name: 'w', autoscaling: { min_instance_count: 1, max_instance_count: 3 } }],
      static_sites: [{ name: 'docs', envs: [{ key: 'DOCS_TOKEN', value: 'v-abc' }] }],
    });
    const b = spec({
      workers: [{ name: 'w', instance_size_slug: 'basic-xs', instance_count: 2 }],
      static_sites: [{ name: 'docs', instance_size_slug: 'ignored' }],
    });
    const lines = describeDrift(specDrift({ env: 's', spec: a }, { env: 'p', spec: b }), 's', 'p');
    expect(lines).toEqual([
      'Not carried by the promotion (p keeps its own):',
      '- `w` instances: s default size, autoscaling 1–3, p basic-xs ×2',
      '- env var keys of `docs` only in s: `DOCS_TOKEN`',
    ]);
    expect(lines.join('\n')).not.toContain('v-abc');
  });
});

describe('cost of the spec update from propose', () => {
  const ops = (answers: Array<Proposal | Error>): AppOpsClient => {
    const queue = [...answers];
    return {
      propose: async () => {
        const next = queue.shift();
        if (next instanceof Error) throw next;
        return next ?? {};
      },
    } as unknown as AppOpsClient;
  };

  it('lists a change of the monthly cost, and nothing when it stays', async () => {
    const changed = await costDrift(ops([{ appCost: 10 }, { appCost: 24 }]), 'app', spec(), spec());
    expect(describeDrift(changed, 'staging', 'production')).toContain(
      "- monthly cost of production after the update: $10 -> $24 (DigitalOcean's propose)",
    );
    expect(await costDrift(ops([{ appCost: 10 }, { appCost: 10 }]), 'app', spec(), spec())).toEqual([]);
  });

  it('says when the cost could not be checked', async () => {
    const failed = await costDrift(
      ops([{ appCost: 10 }, new DocksideError('do_api_failed', 'DigitalOcean could not price the spec')]),
      'app',
      spec(),
      spec(),
    );
    expect(failed).toEqual([{ kind: 'cost_unknown', why: 'DigitalOcean could not price the spec' }]);
  });
});
