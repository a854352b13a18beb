import nock from 'nock';
import { createDoClient, type DoCallInfo, type DoClientOptions } from '../../src/do/client.js';
import { isDocksideError } from '../../src/errors.js';

/** Shared by the DoClient tests: a client on a nock host, with sleeps and calls recorded. */
export const HOST = 'https://do.test';
export const TOKEN = `dop_v1_${'7'.repeat(64)}`;
export const APP = '6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601';
export const NOW = Date.parse('2026-11-20T10:00:00Z');

export function setup(overrides: Partial<DoClientOptions> = {}) {
  const delays: number[] = [];
  const calls: DoCallInfo[] = [];
  const client = createDoClient({
    token: TOKEN,
    endpoint: `${HOST}/v2`,
    retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 30_000 },
    sleep: async (ms) => {
      delays.push(ms);
    },
    clock: { now: () => NOW },
    random: () => 0,
    onCall: (info) => calls.push(info),
    ...overrides,
  });
  return { client, delays, calls };
}

export async function failure(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDocksideError(err)) throw new Error(`expected a DocksideError, got ${String(err)}`);
  return err;
}

export const deploymentBody = (over: Record<string, unknown> = {}) => ({
  id: 'dep-1',
  phase: 'ACTIVE',
  cause: 'commit 9a4df0b pushed to github.com/acme/web/tree/main',
  created_at: '2026-11-20T09:00:00Z',
  updated_at: '2026-11-20T09:03:00Z',
  progress: {
    success_steps: 3,
    total_steps: 4,
    error_steps: 1,
    steps: [
      {
        name: 'build',
        status: 'ERROR',
        steps: [{ name: 'web', status: 'ERROR', reason: { code: 'BuildFailed', message: 'exit 1' } }],
      },
    ],
  },
  services: [{ name: 'web', source_commit_hash: '9a4df0b1c2' }],
  workers: [{ name: 'worker' }],
  spec: { name: 'web-staging' },
  ...over,
});

/** Counts requests; `persist` so an unexpected second attempt would be answered, not fail loudly. */
export function countingRoute(
  method: 'get' | 'post' | 'put',
  path: string,
  status: number,
  body: unknown = {},
) {
  const seen = { count: 0 };
  nock(HOST)
    .persist()
    .intercept(path, method.toUpperCase())
    .reply(() => {
      seen.count += 1;
      return [status, body];
    });
  return seen;
}
