import { describe, expect, it } from 'vitest';
import { jobItems } from '../../handlers/deploy/verify/jobs.js';
import type { JobInvocation } from '../../src/do/app-ops-port.js';
import { checklistLines } from '../../src/render/checklist.js';

const where = { app: 'web', env: 'production' };
const invocation = (jobName: string, phase: JobInvocation['phase'], extra: Partial<JobInvocation> = {}) => ({
  id: `${jobName}-1`,
  jobName,
  phase,
  trigger: 'UNKNOWN',
  deploymentId: 'dep-2',
  createdAt: '2026-11-30T10:00:00Z',
  ...extra,
});

describe('checklist items and their rendering', () => {
  it('ticks a job only when its newest invocation succeeded; a missing one fails', () => {
    const items = jobItems(
      [
        { name: 'migrate', kind: 'PRE_DEPLOY' },
        { name: 'warm', kind: 'POST_DEPLOY' },
        { name: 'seed', kind: 'PRE_DEPLOY' },
      ],
      [
        invocation('migrate', 'FAILED', { createdAt: '2026-11-30T09:00:00Z' }),
        invocation('migrate', 'SUCCEEDED', {
          startedAt: '2026-11-30T10:00:00Z',
          completedAt: '2026-11-30T10:00:04Z',
        }),
        invocation('warm', 'SKIPPED'),
      ],
      where,
    );
    expect(items).toEqual([
      { key: 'job:migrate', label: 'PRE_DEPLOY job migrate', ok: true, detail: 'succeeded in 4 s' },
      {
        key: 'job:warm',
        label: 'POST_DEPLOY job warm',
        ok: false,
        detail: 'skipped',
        command: '/logs web production job --component warm --deployment dep-2',
      },
      {
        key: 'job:seed',
        label: 'PRE_DEPLOY job seed',
        ok: false,
        detail: 'no invocation found for this deployment',
      },
    ]);
  });

  it('renders ✅/❌ per item and escapes what apps and DigitalOcean wrote', () => {
    const lines = checklistLines([
      { key: 'active', label: 'Deployment ACTIVE', ok: true, detail: 'live after 2 min' },
      {
        key: 'health:0',
        label: 'Health https://x.example/status',
        ok: false,
        detail: 'db is "<!channel> *down*" (expected "ok")',
      },
      {
        key: 'logs',
        label: 'Runtime errors vs the previous deployment',
        ok: false,
        detail: '4 error lines',
        samples: ['web 2026-11-30T10:00:00Z ERROR <@U0BOSS> ```break out``` &'],
      },
    ]);
    expect(lines[0]).toBe(':white_check_mark: Deployment ACTIVE: live after 2 min');
    expect(lines[1]).toMatch(
      /^:x: Health https:\/\/x\.example\/status: db is "&lt;!channel&gt; .down." \(expected "ok"\)$/,
    );
    expect(lines[1]).not.toContain('*down*');
    expect(lines[1]).not.toContain('<!channel>');
    expect(lines[2]).toMatch(/^:x: Runtime errors vs the previous deployment: 4 error lines\n```/);
    expect(lines[2]).toContain('&lt;@U0BOSS&gt;');
    // The sample cannot close the code block it is shown in.
    expect(lines[2]?.match(/```/g)).toHaveLength(2);
  });
});
