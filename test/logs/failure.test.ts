import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure, failingStep, pickErrorLines } from '../../handlers/logs/failure.js';
import { createAppOpsClient } from '../../src/do/app-ops.js';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { createDoClient } from '../../src/do/client.js';
import type { Deployment, DoClient } from '../../src/do/port.js';
import { failureExcerptBlocks, failureExcerptText, fullLogCommand } from '../../src/render/log-excerpt.js';
import { DEMO_IDS, type DoSimulator, startDoSimulator } from '../../src/sandbox/do-simulator.js';
import { waitFor } from '../helpers/world.js';

const STAGING = DEMO_IDS.apps.webStaging;

const deployment = (steps: Deployment['progress']['steps'], over: Partial<Deployment> = {}): Deployment => ({
  id: 'dep-1',
  phase: 'ERROR',
  cause: 'manual',
  createdAt: '',
  updatedAt: '',
  progress: { successSteps: 1, totalSteps: 4, errorSteps: 1, steps },
  components: [{ name: 'web' }, { name: 'worker' }],
  ...over,
});

describe('finding the failing step', () => {
  it('reads DigitalOcean nested steps: stage, then the component under components', () => {
    const d = deployment([
      { name: 'build', status: 'SUCCESS' },
      { name: 'deploy', status: 'ERROR' },
      { name: 'deploy / components', status: 'ERROR' },
      {
        name: 'deploy / components / worker',
        status: 'ERROR',
        reason: { code: 'DeployContainerExitNonZero', message: 'container exited with code 137' },
      },
      { name: 'deploy / components / worker / wait', status: 'ERROR' },
    ]);
    expect(failingStep(d)).toEqual({
      step: 'deploy / components / worker / wait',
      stage: 'deploy',
      component: 'worker',
      reason: 'container exited with code 137',
    });
  });

  it('knows a component by name when the steps are flat, and answers nothing without an ERROR step', () => {
    expect(failingStep(deployment([{ name: 'build / web', status: 'ERROR' }]))).toEqual({
      step: 'build / web',
      stage: 'build',
      component: 'web',
    });
    expect(failingStep(deployment([{ name: 'build', status: 'SUCCESS' }]))).toBeUndefined();
  });

  it('picks the last error-looking lines', () => {
    const lines = [
      'ok',
      'Error: one',
      'fine',
      'npm ERR! code 1',
      'process exited with code 2',
      'done',
      'FATAL x',
    ];
    expect(pickErrorLines(lines, 3)).toEqual(['npm ERR! code 1', 'process exited with code 2', 'FATAL x']);
  });
});

describe('a failed deployment explains itself from its logs', () => {
  let sim: DoSimulator;
  let ops: AppOpsClient;
  let doClient: DoClient;
  beforeAll(async () => {
    sim = await startDoSimulator({ phaseDelayMs: 10 });
    sim.seedDemo();
    const options = {
      token: sim.token,
      endpoint: sim.url,
      retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    };
    ops = createAppOpsClient(options);
    doClient = createDoClient(options);
  });
  afterAll(() => sim.close());

  async function failed(phase: 'BUILDING' | 'DEPLOYING') {
    sim.failNextDeployment(STAGING, { phase });
    const started = await doClient.createDeployment(STAGING);
    return waitFor(`deployment failing in ${phase}`, async () => {
      const d = await doClient.getDeployment(STAGING, started.id);
      return d.phase === 'ERROR' ? d : undefined;
    });
  }

  it('shows the end of the failing component build log with the error lines', async () => {
    const dep = await failed('BUILDING');
    sim.addLogLines(STAGING, { type: 'BUILD', component: 'web', deploymentId: dep.id }, [
      'npm notice password=hunter2hunter2',
    ]);
    const excerpt = await explainFailure({ ops }, STAGING, dep, { tailLines: 4 });
    expect(excerpt.failing).toMatchObject({ stage: 'build', component: 'web' });
    expect(excerpt.log).toBe('BUILD');
    expect(excerpt.tail.map((l) => l.split(' ').slice(2).join(' '))).toEqual([
      'npm ERR! code 1',
      'npm ERR! command failed: npm run build',
      'ERROR: failed to build: build of component web failed: npm run build exited with code 1',
      'npm notice password=[redacted]',
    ]);
    expect(excerpt.errors.map((l) => l.split(' ').slice(2).join(' '))).toEqual([
      'src/pricing.ts(42,7): error TS2322: Type "string" is not assignable to type "number".',
      'npm ERR! code 1',
      'npm ERR! command failed: npm run build',
      'ERROR: failed to build: build of component web failed: npm run build exited with code 1',
    ]);
    const text = failureExcerptText(excerpt);
    expect(text).toContain(
      '*Why it failed:* step `build / components / web` of component `web`: build of component web failed',
    );
    expect(text).not.toContain('hunter2');
    expect(fullLogCommand({ app: 'web', env: 'staging' }, excerpt)).toBe(
      `web staging build --deployment ${dep.id} --component web --lines 1000 --file`,
    );
  });

  it('reads the deploy log when the deployment failed after its build', async () => {
    const dep = await failed('DEPLOYING');
    const excerpt = await explainFailure({ ops }, STAGING, dep);
    expect(excerpt.log).toBe('DEPLOY');
    expect(excerpt.errors).toContainEqual(
      expect.stringMatching(/ERROR: component web failed its health check on \/health$/),
    );
  });

  it('says why there are no lines instead of failing when the log cannot be read', async () => {
    const dep = await failed('BUILDING');
    sim.injectFault({
      route: 'GET /v2/apps/:id/deployments/:deploymentId/components/:component/logs',
      status: 500,
    });
    const excerpt = await explainFailure({ ops }, STAGING, dep);
    expect(excerpt.missing).toMatch(/^DigitalOcean could not read the BUILD logs of component web/);
    const blocks = failureExcerptBlocks({ app: 'web', env: 'staging' }, excerpt);
    expect(blocks).toHaveLength(1);
    expect(JSON.stringify(blocks)).toContain('No log lines to show');
  });

  it('keeps the explanation within its size without cutting a code block open', () => {
    const long = Array.from({ length: 40 }, (_, i) => `line ${i} ${'y'.repeat(150)} <!here>`);
    const text = failureExcerptText(
      {
        deploymentId: 'd',
        failing: { step: 'build', stage: 'build' },
        log: 'BUILD',
        tail: long,
        errors: long.slice(-2),
      },
      1500,
    );
    expect(text.length).toBeLessThanOrEqual(1500);
    expect((text.match(/```/g) ?? []).length % 2).toBe(0);
    expect(text).not.toContain('<!here>');
  });
});
