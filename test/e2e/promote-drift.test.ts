import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../src/do/port.js';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { DEMO_IDS, DEMO_WORKER_DIGEST } from '../../src/sandbox/do-simulator.js';
import { approvalMessages, newApproval } from '../helpers/approvals.js';
import { testWorld, waitFor } from '../helpers/world.js';

const { alice } = SANDBOX_USERS;
const { dev } = SANDBOX_CHANNELS;
const STAGING = DEMO_IDS.apps.webStaging;
const PROD = DEMO_IDS.apps.webProduction;
const JOB_IMAGE = { registry_type: 'GHCR', registry: 'acme', repository: 'web-worker' };

describe('/promote lists what the promotion does not carry', async () => {
  const world = await testWorld();
  const { driver, slack, sim } = world;

  async function changeSpec(appId: string, change: (spec: AppSpec) => void) {
    const spec = structuredClone((await world.bot.do.getApp(appId)).spec);
    change(spec);
    await world.bot.do.updateAppSpec(appId, spec);
    await waitFor(
      `${appId} to run its new spec`,
      () => {
        const app = sim.app(appId);
        return !app.in_progress_deployment && !app.pending_deployment;
      },
      8000,
    );
  }

  it('shows env var keys (never values), instances and jobs that differ, on the approval card', async () => {
    await changeSpec(STAGING, (spec) => {
      const web = spec.services?.[0];
      if (web) web.envs = [...((web.envs as object[]) ?? []), { key: 'FEATURE_CART_V2', value: 'on' }];
      spec.jobs = [
        { name: 'migrate', kind: 'PRE_DEPLOY', image: { ...JOB_IMAGE, digest: DEMO_WORKER_DIGEST } },
      ];
    });
    await changeSpec(PROD, (spec) => {
      const web = spec.services?.[0];
      if (web) {
        web.instance_size_slug = 'basic-xs';
        web.instance_count = 2;
        web.envs = [
          ...((web.envs as object[]) ?? []),
          { key: 'LEGACY_MODE', value: 'prod-only-value-x91', type: 'SECRET' },
        ];
      }
      spec.jobs = [{ name: 'migrate', kind: 'POST_DEPLOY', image: { ...JOB_IMAGE, tag: 'v1.4.1' } }];
      spec.envs = [{ key: 'SENTRY_DSN', value: 'https://key@sentry.example/1' }];
    });
    sim.clearRequests();
    const before = approvalMessages(slack).length;
    await driver.command(alice, dev, '/promote', 'web');
    const card = await newApproval(slack, before);
    const summary = JSON.stringify(card.blocks);
    const lines = (card.blocks[1] as { text: { text: string } }).text.text.split('\n');
    const from = lines.indexOf('Not carried by the promotion (production keeps its own):');
    expect(from).toBeGreaterThan(0);
    expect(lines.slice(from + 1)).toEqual([
      '- env var keys of the whole app only in production: `SENTRY_DSN`',
      '- env var keys of `web` only in staging: `FEATURE_CART_V2`',
      '- env var keys of `web` only in production: `LEGACY_MODE`',
      '- `web` instances: staging basic-xxs ×1, production basic-xs ×2',
      '- job `migrate` runs as PRE_DEPLOY in staging, POST_DEPLOY in production',
    ]);
    // The update pins the worker by digest: propose prices production before and after (same sizes).
    expect(sim.requests({ method: 'POST', route: '/v2/apps/propose' })).toHaveLength(2);
    expect(summary).not.toContain('monthly cost');
    expect(summary).not.toContain('prod-only-value-x91');
    expect(summary).not.toContain('sentry.example');
  });
});
